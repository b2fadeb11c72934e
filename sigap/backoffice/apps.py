from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "sigap.backoffice"
    label = "backoffice"
    verbose_name = _("Back office")

    def ready(self):
        # Imported here: an app's modules load once every app's models have (Django's rule).
        from sigap.backoffice.templates_pack import load_response_templates
        from sigap.cities import citypack

        citypack.on_load(load_response_templates)
