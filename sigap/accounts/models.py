from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Warga")
    OFFICER = "officer", _("Petugas reaksi cepat")
    DISPATCHER = "dispatcher", _("Dispatcher dinas")
    HEAD = "head", _("Kepala dinas")
    ADMIN = "admin", _("Administrator kota")
    EXECUTIVE = "executive", _("Pimpinan (dasbor)")
    # A governor's office or a ministry: reads the roll-up of the cities it oversees.
    PROVINCE = "province", _("Pimpinan provinsi")


STAFF_ROLES = {Role.OFFICER, Role.DISPATCHER, Role.HEAD, Role.ADMIN, Role.EXECUTIVE}
AGENCY_ROLES = {Role.OFFICER, Role.DISPATCHER, Role.HEAD}


class User(AbstractUser):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        WHATSAPP = "whatsapp", _("WhatsApp")
        NONE = "none", _("Tidak usah")

    role = models.CharField(_("peran"), max_length=20, choices=Role.choices,
                            default=Role.CITIZEN, db_index=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="staff", verbose_name=_("dinas"))
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True, db_index=True)
    display_name = models.CharField(_("nama tampilan"), max_length=120, blank=True)
    language = models.CharField(_("bahasa"), max_length=5, default="id",
                                choices=[("id", "Bahasa Indonesia"), ("en", "English")])
    notify_channel = models.CharField(_("saluran notifikasi"), max_length=10,
                                      choices=Channel.choices, default=Channel.EMAIL)
    on_duty = models.BooleanField(_("sedang bertugas"), default=True)
    # The city a staff member works for (an agency's staff: the agency's city, kept equal in
    # save()); empty for citizens, who are one account across cities. A provincial role
    # oversees several (sigap.cities.tenancy).
    city = models.ForeignKey("cities.City", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="staff", verbose_name=_("kota"))
    oversees = models.ManyToManyField("cities.City", blank=True, related_name="overseers",
                                      verbose_name=_("kota yang diawasi"))

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = pgettext_lazy("plural", "pengguna")

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if self.agency_id is not None and (fields is None or "agency" in fields):
            from sigap.agencies.models import Agency  # at call time: the apps are loaded

            self.city_id = (Agency.objects.with_scopes_disabled().values_list("city_id", flat=True)
                            .get(pk=self.agency_id))
            if fields is not None:
                kwargs["update_fields"] = {*fields, "city"}
        super().save(*args, **kwargs)

    @property
    def is_office_user(self) -> bool:
        """Whether the office's data is this user's to read, for some cities (tenancy)."""
        return self.is_authenticated and self.is_active and (
            self.is_superuser or self.role in STAFF_ROLES or self.role == Role.PROVINCE)

    def office_city_ids(self) -> list[int] | None:
        """Return the ids of the cities whose office data this user reads: a staff member's
        own city, a provincial or national role's overseen ones, every city (`None`,
        tenancy.ALL) for the install's administrator (sigap.cities.tenancy)."""
        if self.is_superuser:
            return None
        if self.role == Role.PROVINCE:
            return sorted(self.oversees.values_list("pk", flat=True))
        return [self.city_id] if self.city_id else []

    @property
    def is_city_admin(self) -> bool:
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)

    @property
    def is_agency_staff(self) -> bool:
        return self.is_active and self.role in AGENCY_ROLES and self.agency_id is not None

    # Who may see or act on which report: sigap.reports.visibility (the one rule).


class OneTimeCode(models.Model):
    """A sign-in code sent to a phone number or e-mail address; stored hashed."""

    destination = models.CharField(_("tujuan"), max_length=200, db_index=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    requested_ip = models.GenericIPAddressField(_("IP peminta"), null=True, blank=True)

    class Meta:
        verbose_name = _("kode sekali pakai")
        verbose_name_plural = pgettext_lazy("plural", "kode sekali pakai")


class AuditEntry(models.Model):
    """One access to personal data: who saw a reporter's contact, who exported what.

    Append-only (sigap.accounts.audit.record writes it); the admin shows it read-only.
    """

    class Action(models.TextChoices):
        CONTACT_VIEWED = "contact_viewed", _("Kontak pelapor dilihat")
        EXPORT = "export", _("Data diekspor")
        PERSONAL_DATA_EXPORT = "personal_export", _("Data pribadi diunduh pemiliknya")
        ACCOUNT_DELETED = "account_deleted", _("Akun dihapus atas permintaan")

    at = models.DateTimeField(_("waktu"), db_index=True)
    actor = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("pelaku"))
    # Kept as text too: the entry must still say who it was after the account is deleted.
    actor_name = models.CharField(_("nama pelaku"), max_length=150, blank=True)
    action = models.CharField(_("tindakan"), max_length=20, choices=Action.choices)
    target = models.CharField(_("sasaran"), max_length=200)
    detail = models.JSONField(_("rincian"), default=dict, blank=True)

    class Meta:
        verbose_name = _("catatan akses data pribadi")
        verbose_name_plural = _("catatan akses data pribadi")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target", "at"], name="audit_target_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target}"
