from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowsConfig(AppConfig):
    name = "sigap.follows"
    label = "follows"
    verbose_name = _("Ikuti daerah")

    def ready(self):
        # Imported here: an app's modules load once every app's models have (Django's rule).
        from sigap.follows import receivers
        from sigap.reports.signals import events_recorded

        events_recorded.connect(receivers.follow_items_for_events,
                                dispatch_uid="sigap.follows.events")
