from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "sigap.notifications"
    label = "notifications"
    verbose_name = _("Notifikasi")

    def ready(self):
        # Imported here: an app's modules load once every app's models have (Django's rule).
        from sigap.notifications import tasks
        from sigap.reports import outbox

        outbox.on_event(tasks.handle_events)
