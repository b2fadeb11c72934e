from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sigap.cities.tenancy import city_manager


class CapacityRun(models.Model):
    """One scenario run in the worker, with its progress and its answers."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Menunggu giliran")
        RUNNING = "running", _("Berjalan")
        DONE = "done", _("Selesai")
        FAILED = "failed", _("Gagal")

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("kota"))
    name = models.CharField(_("nama"), max_length=160)
    scenario = models.TextField(_("skenario (TOML)"))
    replications = models.PositiveSmallIntegerField(_("replikasi"), default=3)
    search = models.BooleanField(_("cari jumlah petugas"), default=False)
    replay = models.BooleanField(_("ulang catatan kota"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    progress = models.FloatField(_("kemajuan"), default=0.0)
    result = models.JSONField(_("hasil"), null=True, blank=True)
    error = models.TextField(_("galat"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("dibuat oleh"))
    created_at = models.DateTimeField(_("dibuat"))
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)

    objects = city_manager()

    class Meta:
        verbose_name = _("simulasi kapasitas")
        verbose_name_plural = pgettext_lazy("plural", "simulasi kapasitas")
        ordering = ["-created_at"]

    def __str__(self):
        return self.name

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
