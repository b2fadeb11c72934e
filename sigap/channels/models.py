from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sigap.cities.tenancy import city_manager


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")


class Conversation(models.Model):
    """One phone number's conversation on one channel, with the report it is drafting.

    The draft is the state of the conversation (sigap.channels.conversation): which step it is
    at and what has been told so far. It survives idle time, restarts and retries.
    """

    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    phone = models.CharField(_("nomor"), max_length=32)
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    draft = models.JSONField(_("draf"), default=dict, blank=True)
    last_inbound_at = models.DateTimeField(_("pesan masuk terakhir"), null=True, blank=True)
    reports_created = models.PositiveIntegerField(_("laporan dibuat"), default=0)
    # When the number was last told it is over its hourly allowance (told once per episode).
    limited_notice_at = models.DateTimeField(_("diberi tahu batas pesan"), null=True,
                                             blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)  # bumped by each step
    created_at = models.DateTimeField(_("dibuat"))
    updated_at = models.DateTimeField(_("diperbarui"))

    class Meta:
        verbose_name = _("percakapan")
        verbose_name_plural = pgettext_lazy("plural", "percakapan")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "phone"], name="conversation_per_number"),
        ]

    def __str__(self):
        return f"{self.channel} {self.phone}"

    @property
    def step(self) -> str:
        return self.draft.get("step", "")


class InboundMessage(models.Model):
    """A message received from a citizen. The provider's id is unique: a webhook retried by
    the provider (or delivered twice at once) is stored, and so handled, once."""

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu diproses")
        DONE = "done", _("Diproses")
        BLOCKED = "blocked", _("Nomor diblokir")
        LIMITED = "limited", _("Melebihi batas")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="inbound", verbose_name=_("percakapan"))
    provider_id = models.CharField(_("id pesan penyedia"), max_length=200, unique=True)
    kind = models.CharField(_("jenis"), max_length=20)
    payload = models.JSONField(_("isi"), default=dict)
    state = models.CharField(_("status"), max_length=10, choices=State.choices,
                             default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("percobaan"), default=0)
    last_error = models.CharField(_("galat terakhir"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("dikirim warga"))
    received_at = models.DateTimeField(_("diterima"))

    class Meta:
        verbose_name = _("pesan masuk")
        verbose_name_plural = pgettext_lazy("plural", "pesan masuk")
        ordering = ["received_at", "pk"]
        indexes = [
            # A conversation's messages in order (pending ones, the hourly allowance).
            models.Index(fields=["conversation", "received_at"], name="inbound_received"),
            models.Index(fields=["received_at"], name="inbound_pending",
                         condition=models.Q(state="pending")),
        ]

    def __str__(self):
        return f"{self.kind} {self.provider_id}"


class UnreadableMessage(models.Model):
    """A signed webhook body, or one message in it, that Sigap could not read (malformed
    JSON, a sender that is no phone number, control characters). The webhook answers 200 so
    that the provider does not resend it forever, and keeps it here for the administrator."""

    channel = models.CharField(_("saluran"), max_length=10, choices=Channel.choices)
    reason = models.CharField(_("alasan"), max_length=200)
    body = models.TextField(_("isi"), help_text=_(
        "Apa adanya, dipotong; karakter kontrol ditulis sebagai \\xNN."))
    received_at = models.DateTimeField(_("diterima"))

    class Meta:
        verbose_name = _("pesan tak terbaca")
        verbose_name_plural = pgettext_lazy("plural", "pesan tak terbaca")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return f"{self.channel}: {self.reason}"


class OutboundMessage(models.Model):
    """A message Sigap sent (or will send) on a chat, with the provider's delivery status.

    Status webhooks (sent/delivered/read/failed) land here; a message that carries a report
    notification points to its delivery record.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Antre")
        SENT = "sent", _("Terkirim ke penyedia")
        DELIVERED = "delivered", _("Sampai")
        READ = "read", _("Dibaca")
        FAILED = "failed", _("Gagal")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE,
                                     related_name="outbound", verbose_name=_("percakapan"))
    notification = models.ForeignKey("notifications.Notification", on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+",
                                     verbose_name=_("notifikasi"))
    provider_id = models.CharField(_("id pesan penyedia"), max_length=200, blank=True)
    body = models.JSONField(_("isi"), default=dict)
    state = models.CharField(_("status"), max_length=10, choices=State.choices,
                             default=State.QUEUED)
    error = models.CharField(_("galat"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    updated_at = models.DateTimeField(_("diperbarui"))

    class Meta:
        verbose_name = _("pesan keluar")
        verbose_name_plural = pgettext_lazy("plural", "pesan keluar")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["provider_id"], name="outbound_provider_id",
                         condition=~models.Q(provider_id="")),
        ]

    def __str__(self):
        return f"{self.conversation} {self.state}"


class BlockedNumber(models.Model):
    """A number whose messages are stored but never answered nor turned into reports."""

    phone = models.CharField(_("nomor"), max_length=32, unique=True)
    reason = models.CharField(_("alasan"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)

    class Meta:
        verbose_name = _("nomor diblokir")
        verbose_name_plural = pgettext_lazy("plural", "nomor diblokir")

    def __str__(self):
        return self.phone


class Landmark(models.Model):
    """A place people name instead of a kelurahan ("Kantor Camat Oebobo", "Pasar Oeba"),
    matched fuzzily on its name and aliases when a citizen types where the problem is.

    A city pack ships them in data/<city>/landmarks.csv (sigap.channels.landmarks); the
    administrator adds more in the admin. Each keeps where its coordinates come from and
    under which licence, so that only places the city may publish are offered back.
    """

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("kota"))
    name = models.CharField(_("nama"), max_length=120)
    aliases = models.CharField(_("nama lain"), max_length=500, blank=True,
                               help_text=_("Dipisah titik koma, mis. \"kantor camat; kecamatan\""))
    lat = models.FloatField(_("lintang"))
    lng = models.FloatField(_("bujur"))
    kelurahan = models.ForeignKey("cities.Area", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+", verbose_name=_("kelurahan"))
    source = models.CharField(_("sumber koordinat"), max_length=300)
    licence = models.CharField(_("lisensi"), max_length=100)
    is_active = models.BooleanField(_("aktif"), default=True)

    objects = city_manager()

    class Meta:
        verbose_name = _("tempat dikenal")
        verbose_name_plural = pgettext_lazy("plural", "tempat dikenal")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="landmark_name_per_city"),
        ]

    def __str__(self):
        return self.name

    def names(self) -> list[str]:
        return [self.name] + [a.strip() for a in self.aliases.split(";") if a.strip()]
