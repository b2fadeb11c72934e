from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "sigap.backoffice"
    label = "backoffice"
    verbose_name = _("Back office")

    def ready(self):
        # Imported here: an app's modules load once every app's models have (Django's rule).
        from sigap.backoffice import receivers
        from sigap.cities.signals import pack_loaded

        pack_loaded.connect(receivers.load_templates, dispatch_uid="sigap.backoffice.templates")
