from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class Notification(models.Model):
    """One message to one recipient about one report event, with its delivery state.

    The unique (event, recipient) constraint is what makes "never sent twice" hold even when
    the same event is handled twice (a retried task, two workers).
    """

    class Purpose(models.TextChoices):
        STATUS = "status", _("Perubahan status")
        ASSIGNMENT = "assignment", _("Penugasan")
        REMINDER = "reminder", _("Pengingat SLA")
        ESCALATION = "escalation", _("Eskalasi SLA")
        ALERT = "alert", _("Laporan baru untuk meja jaga")
        PAGE = "page", _("Panggilan darurat")

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu dikirim")
        SENDING = "sending", _("Sedang dikirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")
        COALESCED = "coalesced", _("Digabung ke pesan berikutnya")

    event = models.ForeignKey("reports.ReportEvent", on_delete=models.CASCADE,
                              related_name="notifications", verbose_name=_("peristiwa"))
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE,
                               related_name="notifications", verbose_name=_("laporan"))
    recipient = models.CharField(_("penerima"), max_length=220,
                                 help_text=_("u:<id> untuk pengguna, e:/p: untuk kontak anonim"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="notifications", verbose_name=_("pengguna"))
    channel = models.CharField(_("saluran"), max_length=10)
    destination = models.CharField(_("alamat tujuan"), max_length=200)
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    purpose = models.CharField(_("tujuan"), max_length=12, choices=Purpose.choices)
    state = models.CharField(_("status kirim"), max_length=10, choices=State.choices,
                             default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    last_error = models.CharField(_("galat terakhir"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = pgettext_lazy("plural", "notifikasi")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"],
                                    name="notification_once_per_event_recipient"),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notification_due"),
        ]

    def __str__(self):
        return f"{self.purpose} → {self.recipient} ({self.state})"


class Unsubscribed(models.Model):
    """A contact address (of an anonymous reporter) that asked to receive nothing more."""

    destination = models.CharField(_("alamat"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        verbose_name = _("berhenti berlangganan")
        verbose_name_plural = pgettext_lazy("plural", "berhenti berlangganan")

    def __str__(self):
        return self.destination
