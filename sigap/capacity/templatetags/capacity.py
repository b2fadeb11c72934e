from django import template

register = template.Library()


@register.filter
def pct(value):
    """Return 0.953 as "95,3%" (or "–" when there is no figure)."""
    if value is None or value != value:
        return "–"
    return f"{100 * value:.1f}%".replace(".", ",")


@register.filter
def hours(value):
    if value is None:
        return "–"
    return f"{value:.1f} j".replace(".", ",")


@register.filter
def points(value):
    """Return a difference of 1.23 percentage points as "+1,2" (or "–")."""
    if value is None:
        return "–"
    return f"{value:+.1f}".replace(".", ",")
