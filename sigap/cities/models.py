from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sigap.cities.tenancy import city_manager
from sigap.lib import memo, workingtime
from sigap.lib.publicdata import ConfigurationModel, ConfigurationQuerySet


_CITIES = memo.configuration()


def _index(cities) -> dict:
    by = {}
    for city in cities:
        by[city.code] = city
        by[city.pk] = city
    return by


class City(ConfigurationModel):
    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=120)
    official_code = models.CharField(_("kode Kemendagri"), max_length=20, blank=True)
    ticket_prefix = models.CharField(_("prefiks tiket"), max_length=6, unique=True)
    timezone = models.CharField(_("zona waktu"), max_length=60, default="Asia/Makassar")
    center_lat = models.FloatField(_("lintang pusat peta"))
    center_lng = models.FloatField(_("bujur pusat peta"))
    zoom = models.PositiveSmallIntegerField(_("zoom peta"), default=13)
    min_lat = models.FloatField(_("batas selatan"), null=True, blank=True)
    min_lng = models.FloatField(_("batas barat"), null=True, blank=True)
    max_lat = models.FloatField(_("batas utara"), null=True, blank=True)
    max_lng = models.FloatField(_("batas timur"), null=True, blank=True)
    boundary = models.JSONField(_("batas kota (GeoJSON)"), null=True, blank=True)
    emergency_numbers = models.JSONField(_("nomor darurat"), default=list, blank=True)
    attribution = models.TextField(_("atribusi data"), blank=True)
    # Holidays of the region on top of the national ones (city.json "holidays"): a list of
    # {"month", "day", "name_id", "name_en", "source"}; every year on that date.
    regional_holidays = models.JSONField(_("hari libur daerah"), default=list, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        verbose_name = _("kota")
        verbose_name_plural = pgettext_lazy("plural", "kota")

    def __str__(self):
        return self.name

    @classmethod
    def default(cls) -> "City | None":
        """Return the city this installation serves by default (SIGAP_CITY)."""
        from django.conf import settings

        # The boundary is only needed by maps, which ask for it (one query) when they do.
        return cls.objects.filter(code=settings.SIGAP_DEFAULT_CITY).defer("boundary").first()

    @classmethod
    def default_cached(cls) -> "City | None":
        """City.default(), kept in this process for SIGAP_CONFIG_CACHE_SECONDS.

        For the API's hot paths, which ask on every request; an edit in the admin reaches
        every worker within that time. Treat the instance as read-only: it is shared.
        """
        from django.conf import settings

        return cls.all_cached().get(settings.SIGAP_DEFAULT_CITY)

    @classmethod
    def all_cached(cls) -> dict:
        """Every city by code and by id, kept in this process like `default_cached` (the
        request's city, its time zone). Read-only instances, boundaries deferred."""
        return _CITIES.get("all", lambda: _index(cls.objects.defer("boundary")))

    @classmethod
    def for_host(cls, host: str) -> "City | None":
        """Return the city a host name picks: its first label is the city's code
        (`jayapura.sigap.example`, `jayapura.localhost`); None for any other host
        (decision 0016)."""
        label = host.split(":", 1)[0].split(".", 1)[0].lower()
        return cls.all_cached().get(label)

    @property
    def tz(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.timezone)

    def holidays(self, years) -> frozenset:
        """Return the regional holidays of `years` (national ones: lib.workingtime)."""
        return workingtime.yearly_holidays(self.regional_holidays or [], years)

    @property
    def bounds(self):
        return [[self.min_lat, self.min_lng], [self.max_lat, self.max_lng]]


class Area(ConfigurationModel):
    class Level(models.TextChoices):
        KECAMATAN = "kecamatan", _("Kecamatan")
        KELURAHAN = "kelurahan", _("Kelurahan")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="areas",
                             verbose_name=_("kota"))
    level = models.CharField(_("tingkat"), max_length=12, choices=Level.choices)
    code = models.CharField(_("kode Kemendagri"), max_length=20)
    code_bps = models.CharField(_("kode BPS"), max_length=20, blank=True)
    name = models.CharField(_("nama"), max_length=120)
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="children", verbose_name=_("induk"))
    postal_code = models.CharField(_("kode pos"), max_length=10, blank=True)
    centroid_lat = models.FloatField(_("lintang titik tengah"), null=True, blank=True)
    centroid_lng = models.FloatField(_("bujur titik tengah"), null=True, blank=True)
    boundary = models.JSONField(_("batas (GeoJSON)"), null=True, blank=True)
    # From the city pack's population.csv, only with a source that can be named; empty where
    # none is known (the demo's demand model then weighs places by area).
    population = models.PositiveIntegerField(_("jumlah penduduk"), null=True, blank=True)
    population_source = models.CharField(_("sumber data penduduk"), max_length=300,
                                         blank=True)

    objects = city_manager(queryset=ConfigurationQuerySet)

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = pgettext_lazy("plural", "wilayah")
        ordering = ["city", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="area_unique_code_per_city")
        ]

    def __str__(self):
        return f"{self.get_level_display()} {self.name}"
