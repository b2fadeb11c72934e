"""The on-duty rota of each agency, web-push subscriptions, and emergency paging."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sigap.cities.tenancy import city_manager


class Shift(models.Model):
    """One person's recurring shift: on these weekdays, from `starts` to `ends` in the city's
    time (an end at or before the start runs over midnight into the next day; equal: 24 h).

    `team` empty: the person works the agency's desk (dispatchers); else a kecamatan team.
    """

    class Holidays(models.TextChoices):
        ALSO = "also", _("Juga pada hari libur")
        OFF = "off", _("Libur pada hari libur")
        ONLY = "only", _("Hanya pada hari libur")

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE,
                               related_name="shifts", verbose_name=_("dinas"))
    team = models.ForeignKey("agencies.Team", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="shifts", verbose_name=_("tim"),
                             help_text=_("Kosong: meja dispatcher"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="shifts", verbose_name=_("petugas"))
    weekdays = models.CharField(_("hari"), max_length=7, default="0123456",
                                help_text=_("0 = Senin … 6 = Minggu"))
    starts = models.TimeField(_("mulai"))
    ends = models.TimeField(_("selesai"))
    holidays = models.CharField(_("hari libur"), max_length=4, choices=Holidays.choices,
                                default=Holidays.ALSO)
    valid_from = models.DateField(_("berlaku mulai"), null=True, blank=True)
    valid_until = models.DateField(_("berlaku sampai"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"))

    objects = city_manager("agency__city")

    class Meta:
        verbose_name = _("giliran jaga")
        verbose_name_plural = pgettext_lazy("plural", "giliran jaga")
        ordering = ["team_id", "starts", "pk"]
        indexes = [models.Index(fields=["agency", "team"], name="shift_agency_team")]

    def __str__(self):
        return f"{self.user} {self.weekdays} {self.starts:%H:%M}–{self.ends:%H:%M}"


class PushSubscription(models.Model):
    """A browser's web-push subscription for a staff member (from the service worker)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="push_subscriptions", verbose_name=_("pengguna"))
    endpoint = models.URLField(_("alamat push"), max_length=800, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(_("dibuat"))

    class Meta:
        verbose_name = _("langganan push")
        verbose_name_plural = pgettext_lazy("plural", "langganan push")

    def __str__(self):
        return f"{self.user} {self.endpoint[:40]}"


class PagingRule(models.Model):
    """How an emergency category pages (the city pack's paging.csv)."""

    category = models.OneToOneField("agencies.Category", on_delete=models.CASCADE,
                                    related_name="paging", verbose_name=_("kategori"))
    page = models.BooleanField(_("panggil petugas jaga"), default=True)
    ack_minutes = models.PositiveSmallIntegerField(_("batas konfirmasi (menit)"), default=5)
    repages = models.PositiveSmallIntegerField(_("jumlah panggilan ulang"), default=2)
    escalate_after_minutes = models.PositiveSmallIntegerField(
        _("eskalasi ke kepala dinas setelah (menit)"), default=15)

    objects = city_manager("category__city")

    class Meta:
        verbose_name = _("aturan panggilan darurat")
        verbose_name_plural = pgettext_lazy("plural", "aturan panggilan darurat")

    def __str__(self):
        return f"{self.category}: {self.ack_minutes}′ × {self.repages}"


class Callout(models.Model):
    """The paging of one emergency report's arrival at an agency, step by step.

    `step` counts the steps already taken of the rule's schedule (duty.schedule); a worker
    takes the next step with a conditional UPDATE on (pk, step), in the transaction that
    records the step's event, so a step is never taken twice and never lost.
    """

    class State(models.TextChoices):
        OPEN = "open", _("Menunggu konfirmasi")
        ACKED = "acked", _("Diterima")
        ESCALATED = "escalated", _("Dieskalasi")
        CLOSED = "closed", _("Selesai tanpa konfirmasi")

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE,
                               related_name="callouts", verbose_name=_("laporan"))
    trigger = models.OneToOneField("reports.ReportEvent", on_delete=models.CASCADE,
                                   related_name="callout", verbose_name=_("peristiwa pemicu"))
    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("dinas"))
    ack_minutes = models.PositiveSmallIntegerField(_("batas konfirmasi (menit)"))
    repages = models.PositiveSmallIntegerField(_("jumlah panggilan ulang"))
    escalate_after_minutes = models.PositiveSmallIntegerField(_("eskalasi setelah (menit)"))
    state = models.CharField(_("status"), max_length=10, choices=State.choices,
                             default=State.OPEN)
    step = models.PositiveSmallIntegerField(_("langkah"), default=0)
    started_at = models.DateTimeField(_("mulai"))
    next_at = models.DateTimeField(_("langkah berikutnya"), null=True, blank=True)
    acked_at = models.DateTimeField(_("diterima"), null=True, blank=True)
    acked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+",
                                 verbose_name=_("diterima oleh"))

    class Meta:
        verbose_name = _("panggilan darurat")
        verbose_name_plural = pgettext_lazy("plural", "panggilan darurat")
        indexes = [models.Index(fields=["next_at"], name="callout_due",
                                condition=Q(state="open"))]

    def __str__(self):
        return f"{self.report_id} {self.state} {self.step}"
