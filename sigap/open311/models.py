"""API keys of the applications that post to Open311, and what Open311 sends beyond our model."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sigap.cities.models import City
from sigap.cities.tenancy import city_manager
from sigap.lib.publicdata import PublicModel

KEY_PREFIX_LENGTH = 8


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_raw(self, raw: str) -> "ApiKey | None":
        """Return the active key matching `raw`, or None (one indexed lookup by hash)."""
        if not raw or len(raw) > 200:
            return None
        return self.active().filter(key_hash=hash_key(raw)).first()


class ApiKey(models.Model):
    """A key issued to one application; only its SHA-256 is stored, the key is shown once."""

    # The city whose office issued the key (its administrators list and revoke it); a
    # report posted with it still goes to the city that covers its point.
    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="+", verbose_name=_("kota"))
    name = models.CharField(_("aplikasi"), max_length=120)
    prefix = models.CharField(_("awalan kunci"), max_length=KEY_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("aktif"), default=True)
    rate_per_minute = models.PositiveIntegerField(
        _("batas permintaan per menit"), default=60,
        help_text=_("Jumlah POST per menit yang diterima dari kunci ini."))
    contact = models.CharField(_("kontak"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    # The per-minute budget: the current minute (Unix time // 60) and POSTs counted in it.
    rate_minute = models.BigIntegerField(default=0, editable=False)
    rate_count = models.PositiveIntegerField(default=0, editable=False)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)

    objects = city_manager(queryset=ApiKeyQuerySet)

    class Meta:
        verbose_name = _("kunci API Open311")
        verbose_name_plural = pgettext_lazy("plural", "kunci API Open311")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, name: str, *, now, rate_per_minute: int = 60, contact: str = "",
              city=None) -> tuple["ApiKey", str]:
        """Create a key for `name` (issued by `city`, the default city if not given) and
        return it with the raw key (shown only this once)."""
        raw = secrets.token_urlsafe(24)
        key = cls.objects.create(city=city or City.default(), name=name,
                                 prefix=raw[:KEY_PREFIX_LENGTH], key_hash=hash_key(raw),
                                 rate_per_minute=rate_per_minute, contact=contact,
                                 created_at=now)
        return key, raw

    def revoke(self, *, now) -> None:
        self.is_active = False
        self.revoked_at = now
        self.save(update_fields=["is_active", "revoked_at"])


class RequestMeta(PublicModel):
    """What an Open311 client sent that Sigap's report has no field for."""

    report = models.OneToOneField("reports.Report", on_delete=models.CASCADE,
                                  related_name="open311_meta", verbose_name=_("laporan"))
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("kunci API"))
    media_url = models.URLField(_("tautan foto (tidak diunduh)"), max_length=500, blank=True)
    device_id = models.CharField(_("ID perangkat"), max_length=120, blank=True)
    account_id = models.CharField(_("ID akun di aplikasi"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("data Open311 laporan")
        verbose_name_plural = pgettext_lazy("plural", "data Open311 laporan")

    def __str__(self):
        return str(self.report_id)
