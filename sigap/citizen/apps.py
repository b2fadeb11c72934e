from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenConfig(AppConfig):
    name = "sigap.citizen"
    label = "citizen"
    verbose_name = _("Warga")
