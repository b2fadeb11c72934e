"""Following a place: a kelurahan or a circle on the map, and what is still to be told.

`Follow` is one subscription (one address, one place). `FollowItem` is one thing to tell
(a new public report or a fix in the place), written by the outbox's drain in its own
transaction, once per follow and event. `FollowMessage` is one message: the claim that
gathers a follow's due items, then its delivery state (see services.send_due).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sigap.cities.tenancy import city_manager

MIN_RADIUS_M = 100
MAX_RADIUS_M = 3000


class Follow(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WHATSAPP = "whatsapp", _("WhatsApp")
        PUSH = "push", _("Notifikasi browser")

    class Frequency(models.TextChoices):
        INSTANT = "instant", _("Segera")
        DAILY = "daily", _("Ringkasan harian")

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("kota"))
    # A kelurahan, or a circle (centre and radius): exactly one of the two.
    kelurahan = models.ForeignKey("cities.Area", on_delete=models.CASCADE, null=True,
                                  blank=True, related_name="+", verbose_name=_("kelurahan"))
    lat = models.FloatField(_("lintang pusat"), null=True, blank=True)
    lng = models.FloatField(_("bujur pusat"), null=True, blank=True)
    radius_m = models.PositiveIntegerField(_("radius (m)"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="place_follows",
                             verbose_name=_("pengguna"))
    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    # An e-mail address, a phone number (+62…), or a browser's push subscription (JSON).
    destination = models.CharField(_("alamat tujuan"), max_length=1000)
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    frequency = models.CharField(_("frekuensi"), max_length=10, choices=Frequency.choices,
                                 default=Frequency.INSTANT)
    confirmed_at = models.DateTimeField(_("dikonfirmasi"), null=True, blank=True)
    created_at = models.DateTimeField(_("dibuat"))

    objects = city_manager()

    class Meta:
        verbose_name = _("ikuti daerah")
        verbose_name_plural = pgettext_lazy("plural", "ikuti daerah")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="follow_kelurahan_or_circle",
                condition=(Q(kelurahan__isnull=False, lat__isnull=True, lng__isnull=True,
                             radius_m__isnull=True)
                           | Q(kelurahan__isnull=True, lat__isnull=False, lng__isnull=False,
                               radius_m__gte=MIN_RADIUS_M, radius_m__lte=MAX_RADIUS_M))),
        ]
        indexes = [
            models.Index(fields=["city", "kelurahan"], name="follow_city_kelurahan",
                         condition=Q(confirmed_at__isnull=False)),
            models.Index(fields=["city", "lat"], name="follow_city_circle",
                         condition=Q(confirmed_at__isnull=False, lat__isnull=False)),
        ]

    def __str__(self):
        return f"{self.channel} {self.place_key}"

    @property
    def place_key(self) -> str:
        if self.kelurahan_id:
            return f"kelurahan:{self.kelurahan_id}"
        return f"circle:{self.lat:.5f},{self.lng:.5f},{self.radius_m}"


class FollowMessage(models.Model):
    """One message to a follow: the claim of its due items, then the delivery."""

    class State(models.TextChoices):
        CLAIMED = "claimed", _("Diklaim, belum dikirim")
        SENDING = "sending", _("Sedang dikirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")

    follow = models.ForeignKey(Follow, on_delete=models.CASCADE, related_name="messages",
                               verbose_name=_("ikuti daerah"))
    state = models.CharField(_("status kirim"), max_length=10, choices=State.choices,
                             default=State.CLAIMED)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    next_attempt_at = models.DateTimeField(_("percobaan berikutnya"), null=True, blank=True)
    last_error = models.CharField(_("galat terakhir"), max_length=500, blank=True)
    claimed_at = models.DateTimeField(_("diklaim"))
    sent_at = models.DateTimeField(_("terkirim"), null=True, blank=True)

    objects = city_manager("follow__city")

    class Meta:
        verbose_name = _("pesan ikuti daerah")
        verbose_name_plural = pgettext_lazy("plural", "pesan ikuti daerah")
        indexes = [
            models.Index(fields=["state"], name="follow_message_unsent",
                         condition=Q(state__in=["claimed"])),
        ]

    def __str__(self):
        return f"{self.follow_id} {self.state}"


class FollowItem(models.Model):
    """One thing a follow is to be told of: a new public report or a fix in its place."""

    class Kind(models.TextChoices):
        NEW = "new", _("Laporan baru")
        FIXED = "fixed", _("Sudah diperbaiki")

    follow = models.ForeignKey(Follow, on_delete=models.CASCADE, related_name="items",
                               verbose_name=_("ikuti daerah"))
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("laporan"))
    event = models.ForeignKey("reports.ReportEvent", on_delete=models.CASCADE,
                              related_name="+", verbose_name=_("peristiwa"))
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices)
    due_at = models.DateTimeField(_("dikirim mulai"))
    message = models.ForeignKey(FollowMessage, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="items", verbose_name=_("pesan"))
    created_at = models.DateTimeField(_("dibuat"))

    objects = city_manager("follow__city")

    class Meta:
        verbose_name = _("kabar ikuti daerah")
        verbose_name_plural = pgettext_lazy("plural", "kabar ikuti daerah")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["follow", "event"], name="follow_item_once"),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="follow_item_unclaimed",
                         condition=Q(message__isnull=True)),
        ]

    def __str__(self):
        return f"{self.follow_id} {self.kind} {self.report_id}"
