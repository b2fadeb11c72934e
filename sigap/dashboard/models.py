from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sigap.cities.tenancy import city_manager


class CityTarget(models.Model):
    """The public yearly targets a city has set itself (Kupang, 2019: 22,000 citizen users,
    30,000 reports a year); the dashboard shows the progress and the projection to year end."""

    city = models.OneToOneField("cities.City", on_delete=models.CASCADE,
                                related_name="targets", verbose_name=_("kota"))
    reports_per_year = models.PositiveIntegerField(_("laporan per tahun"), default=30000)
    citizen_users = models.PositiveIntegerField(_("pengguna warga"), default=22000)

    objects = city_manager()

    class Meta:
        verbose_name = _("target kota")
        verbose_name_plural = pgettext_lazy("plural", "target kota")

    def __str__(self):
        return str(self.city)

    @classmethod
    def for_city(cls, city) -> "CityTarget":
        """Return the city's targets (the defaults, unsaved, if none were set)."""
        return cls.objects.filter(city=city).first() or cls(city=city)
