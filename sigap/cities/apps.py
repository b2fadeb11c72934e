from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitiesConfig(AppConfig):
    name = "sigap.cities"
    label = "cities"
    verbose_name = _("Kota dan wilayah")
