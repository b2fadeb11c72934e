from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sigap.cities.tenancy import city_manager


class ResponseTemplate(models.Model):
    """A ready-made public note a dispatcher can pick and adjust (per agency, or for all of
    its city's agencies)."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("kota"))
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="response_templates", verbose_name=_("dinas"),
                               help_text=_("Kosong: tersedia untuk semua dinas."))
    title = models.CharField(_("judul"), max_length=80)
    text = models.TextField(_("isi catatan"))
    is_active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=100)

    objects = city_manager()

    class Meta:
        verbose_name = _("templat tanggapan")
        verbose_name_plural = pgettext_lazy("plural", "templat tanggapan")
        ordering = ["order", "title"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.agency_id is not None and not self.city_id:
            self.city_id = self.agency.city_id
        super().save(*args, **kwargs)
