"""What a citizen chose about recognition, and where the office withdrew trust.

Points and badges are not stored: they are computed from the citizen's reports
(sigap/recognition/points.py), so nothing can count them twice or forget one.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sigap.cities.tenancy import city_manager


class Profile(models.Model):
    """A citizen's recognition settings (one row per account, made when first changed)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="recognition", verbose_name=_("warga"))
    show_name = models.BooleanField(
        _("tampilkan nama saya di papan warga"), default=False,
        help_text=_("Tanpa persetujuan ini papan hanya menulis “Warga”."))

    class Meta:
        verbose_name = _("profil penghargaan")
        verbose_name_plural = _("profil penghargaan")

    def __str__(self):
        return str(self.user)


class TrustRevocation(models.Model):
    """The city office withdrew a citizen's trusted-reporter standing in its city: their
    new reports wait in the verification queue again, whatever their track record."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("kota"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="trust_revocations", verbose_name=_("warga"))
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("dicabut oleh"))
    at = models.DateTimeField(_("waktu"))
    reason = models.CharField(_("alasan"), max_length=300, blank=True)

    objects = city_manager()

    class Meta:
        verbose_name = _("pencabutan status tepercaya")
        verbose_name_plural = _("pencabutan status tepercaya")
        constraints = [models.UniqueConstraint(fields=["city", "user"],
                                               name="trust_revocation_once")]

    def __str__(self):
        return f"{self.user} @ {self.city_id}"
