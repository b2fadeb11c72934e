from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class ResponseTemplate(models.Model):
    """A ready-made public note a dispatcher can pick and adjust (per agency, or for all)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="response_templates", verbose_name=_("dinas"),
                               help_text=_("Kosong: tersedia untuk semua dinas."))
    title = models.CharField(_("judul"), max_length=80)
    text = models.TextField(_("isi catatan"))
    is_active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=100)

    class Meta:
        verbose_name = _("templat tanggapan")
        verbose_name_plural = pgettext_lazy("plural", "templat tanggapan")
        ordering = ["order", "title"]

    def __str__(self):
        return self.title
