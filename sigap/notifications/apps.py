from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "sigap.notifications"
    label = "notifications"
    verbose_name = _("Notifikasi")

    def ready(self):
        # Imported here: an app's modules load once every app's models have (Django's rule).
        from sigap.notifications import receivers
        from sigap.reports.signals import events_recorded

        events_recorded.connect(receivers.notifications_for_events,
                                dispatch_uid="sigap.notifications.events")
