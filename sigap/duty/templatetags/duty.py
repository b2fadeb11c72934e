"""`{% open_callout report as callout %}`: the report's unacknowledged emergency page, for the
office's report page (its "take it" button)."""

from django import template

from sigap.duty.models import Callout

register = template.Library()


@register.simple_tag
def open_callout(report):
    """Return the report's newest callout still waiting for an acknowledgement, or None."""
    return (Callout.objects.filter(report=report, acked_at__isnull=True)
            .exclude(state=Callout.State.CLOSED).order_by("-pk").first())
