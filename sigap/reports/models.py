import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from sigap.cities.tenancy import city_manager
from sigap.lib.publicdata import PublicModel, PublicQuerySet
from sigap.reports import nearby
from sigap.reports.workflow import OPEN, Status


def new_tracking_key() -> str:
    return secrets.token_urlsafe(12)


# What the public never sees, even of a public report; and what the public sees
# (sigap.reports.visibility builds every other circle around it).
HIDDEN_STATUSES = (Status.REJECTED, Status.DUPLICATE)
PUBLIC = Q(is_public=True) & ~Q(status__in=HIDDEN_STATUSES)


class ReportQuerySet(PublicQuerySet):
    def open(self):
        return self.filter(status__in=OPEN)

    def public(self):
        return self.filter(PUBLIC)

    def for_list(self):
        """Eager-load what lists and maps show, so a list never queries per row.

        Area boundaries are large GeoJSON documents that no list shows: deferred, since
        decoding them dominated the cost of a page.
        """
        return self.select_related(
            "category", "agency", "kelurahan", "kecamatan", "team", "officer"
        ).defer("kelurahan__boundary", "kecamatan__boundary")

    def in_bbox(self, min_lat, min_lng, max_lat, max_lng):
        return self.filter(
            lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng
        )


class Report(PublicModel):
    class Source(models.TextChoices):
        WEB = "web", _("Aplikasi web")
        API = "api", _("API Sigap")
        OPEN311 = "open311", _("Open311")
        PHONE = "phone", _("Telepon / call center")
        STAFF = "staff", _("Petugas")
        WHATSAPP = "whatsapp", _("WhatsApp")
        SMS = "sms", _("SMS")

    # Foreign keys already leading a composite index below (or, for the city, too unselective
    # to help: one city per deployment) get no index of their own: every index is one more
    # page written by each new report.
    city = models.ForeignKey("cities.City", on_delete=models.PROTECT, related_name="reports",
                             verbose_name=_("kota"), db_index=False)
    ticket = models.CharField(_("nomor tiket"), max_length=32, unique=True)
    tracking_key = models.CharField(_("kunci pelacakan"), max_length=32,
                                    default=new_tracking_key, editable=False)
    category = models.ForeignKey("agencies.Category", on_delete=models.PROTECT,
                                 related_name="reports", verbose_name=_("kategori"),
                                 db_index=False)
    description = models.TextField(_("keterangan"), blank=True)
    answers = models.JSONField(_("jawaban pertanyaan tambahan"), default=dict, blank=True)
    lat = models.FloatField(_("lintang"))
    lng = models.FloatField(_("bujur"))
    address = models.CharField(_("alamat"), max_length=300, blank=True)
    kelurahan = models.ForeignKey("cities.Area", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+", verbose_name=_("kelurahan"))
    kecamatan = models.ForeignKey("cities.Area", on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="+", verbose_name=_("kecamatan"))
    h3_cell = models.CharField(_("sel H3 (res 9)"), max_length=16, blank=True)
    # Coarser H3 cells as integers, each indexed with created_at: "the newest reports near a
    # point" reads a cell's reports newest first and stops (sigap.reports.nearby), so the
    # work depends on the page asked for, not on how many reports the city has.
    h3_r8 = models.BigIntegerField(_("sel H3 (res 8)"), null=True, blank=True, editable=False)
    h3_r6 = models.BigIntegerField(_("sel H3 (res 6)"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.SUBMITTED)
    priority = models.PositiveSmallIntegerField(_("prioritas"), default=3)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="reports", verbose_name=_("pelapor"),
                                 db_index=False)  # partial index below
    is_anonymous = models.BooleanField(_("anonim"), default=False)
    contact_name = models.CharField(_("nama kontak"), max_length=120, blank=True)
    contact_phone = models.CharField(_("HP kontak"), max_length=30, blank=True)
    contact_email = models.EmailField(_("e-mail kontak"), blank=True)
    source = models.CharField(_("saluran"), max_length=10, choices=Source.choices,
                              default=Source.WEB)
    external_app = models.CharField(_("aplikasi pengirim"), max_length=120, blank=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT,
                               related_name="reports", verbose_name=_("dinas"), db_index=False)
    team = models.ForeignKey("agencies.Team", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="reports", verbose_name=_("tim"), db_index=False)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="tasks", verbose_name=_("petugas"),
                                db_index=False)
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="duplicates", verbose_name=_("duplikat dari"),
                                     db_index=False)
    reject_reason = models.CharField(_("alasan penolakan"), max_length=300, blank=True)
    is_public = models.BooleanField(_("publik"), default=True)

    response_due_at = models.DateTimeField(_("tenggat tanggapan"), null=True, blank=True)
    due_at = models.DateTimeField(_("tenggat penyelesaian"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("tingkat eskalasi"), default=0)
    response_escalation_level = models.PositiveSmallIntegerField(
        _("tingkat eskalasi tanggapan"), default=0)
    sla_paused_at = models.DateTimeField(_("SLA dijeda sejak"), null=True, blank=True)
    # The day the work is planned for while the report is "scheduled" (decision 0010).
    scheduled_for = models.DateField(_("dijadwalkan untuk"), null=True, blank=True)

    created_at = models.DateTimeField(_("dibuat"))
    updated_at = models.DateTimeField(_("diperbarui"))
    first_response_at = models.DateTimeField(_("tanggapan pertama"), null=True, blank=True)
    verified_at = models.DateTimeField(_("diverifikasi"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("ditugaskan"), null=True, blank=True)
    started_at = models.DateTimeField(_("mulai dikerjakan"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("diselesaikan"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ditutup"), null=True, blank=True)

    support_count = models.PositiveIntegerField(_("dukungan"), default=0)
    comment_count = models.PositiveIntegerField(_("komentar"), default=0)
    rating = models.PositiveSmallIntegerField(_("penilaian"), null=True, blank=True)
    status_note = models.CharField(_("catatan publik terakhir"), max_length=500, blank=True)

    objects = city_manager(queryset=ReportQuerySet)

    class Meta:
        verbose_name = _("laporan")
        verbose_name_plural = pgettext_lazy("plural", "laporan")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["lat", "lng"], name="report_lat_lng"),
            models.Index(fields=["created_at"], name="report_created"),
            # Covering for sigap.reports.nearby: the newest public reports of a cell, with
            # their point, come from the index alone (no lookup into the table per row).
            models.Index(fields=["h3_r8", "created_at", "id", "lat", "lng", "status",
                                 "is_public"], name="report_r8_created"),
            models.Index(fields=["h3_r6", "created_at", "id", "lat", "lng", "status",
                                 "is_public"], name="report_r6_created"),
            models.Index(fields=["updated_at"], name="report_updated"),
            models.Index(fields=["category", "created_at"], name="report_category_created"),
            models.Index(fields=["agency", "status", "due_at"], name="report_agency_status_due"),
            # The desk's live inbox asks "what arrived since" (new or re-routed: submitted).
            models.Index(fields=["agency", "updated_at"], name="report_agency_arrivals",
                         condition=Q(status=Status.SUBMITTED)),
            # Links that a new report does not have yet (or an anonymous one never has) are
            # indexed only where set: a new report writes no page to these indexes.
            models.Index(fields=["officer", "status", "due_at"], name="report_officer_status",
                         condition=Q(officer__isnull=False)),
            models.Index(fields=["reporter"], name="report_reporter",
                         condition=Q(reporter__isnull=False)),
            models.Index(fields=["team"], name="report_team", condition=Q(team__isnull=False)),
            models.Index(fields=["duplicate_of"], name="report_duplicate_of",
                         condition=Q(duplicate_of__isnull=False)),
            models.Index(fields=["status", "created_at"], name="report_status_created"),
            models.Index(fields=["due_at"], name="report_open_due",
                         condition=Q(status__in=sorted(OPEN))),
            # The first-response ladder reads only the reports nobody has answered yet.
            models.Index(fields=["response_due_at"], name="report_awaiting_response",
                         condition=Q(first_response_at__isnull=True)),
        ]

    def __str__(self):
        return self.ticket

    def save(self, *args, **kwargs):
        self.place_cells()
        super().save(*args, **kwargs)

    def place_cells(self) -> None:
        """Derive the H3 cells from lat/lng (bulk_create callers call this themselves)."""
        if self.lat is None or self.lng is None:
            return
        for field, cell in nearby.cells_of(self.lat, self.lng).items():
            setattr(self, field, cell)
        self.h3_cell = nearby.cell_name(self.lat, self.lng)

    def get_absolute_url(self):
        return reverse("citizen:track", args=[self.ticket])

    def tracking_url(self) -> str:
        """Return the private link an anonymous reporter keeps to follow the report."""
        return f"{self.get_absolute_url()}?k={self.tracking_key}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_sensitive(self) -> bool:
        return self.category.is_sensitive

    def public_location(self) -> tuple[float, float]:
        """Return the location the public may see: the kelurahan centre when sensitive."""
        if self.category.is_sensitive:
            if self.kelurahan and self.kelurahan.centroid_lat is not None:
                return round(self.kelurahan.centroid_lat, 3), round(self.kelurahan.centroid_lng, 3)
            return round(self.lat, 2), round(self.lng, 2)
        return self.lat, self.lng


class TicketSequence(models.Model):
    """The last ticket number given per city and year (locked row: no gaps, no repeats)."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "year"], name="ticket_sequence_city_year")
        ]


def photo_path(instance, filename):
    return f"photos/{instance.created_at:%Y/%m}/{secrets.token_hex(10)}.jpg"


def thumb_path(instance, filename):
    """The thumbnail's name follows from its photo's, so a run that wrote the file and died
    before recording it is redone onto the same file, not beside it (storage overwrites)."""
    return f"thumbs/{instance.created_at:%Y/%m}/{PurePosixPath(instance.image.name).stem}.jpg"


def public_path(instance, filename):
    """The public copy's name follows from its photo's and the regions' revision: a redone
    copy of the same regions overwrites its own file, a new revision gets a new address (no
    cache keeps serving the copy it replaces)."""
    stem = PurePosixPath(instance.image.name).stem
    return f"public/{instance.created_at:%Y/%m}/{stem}-{instance.blur_revision}.jpg"


def public_thumb_path(instance, filename):
    stem = PurePosixPath(instance.image.name).stem
    return f"public/{instance.created_at:%Y/%m}/{stem}-{instance.blur_revision}-t.jpg"


class Photo(PublicModel):
    class Kind(models.TextChoices):
        REPORT = "report", _("Foto laporan")
        PROOF = "proof", _("Bukti penyelesaian")
        PROGRESS = "progress", _("Foto pengerjaan")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos",
                               verbose_name=_("laporan"))
    event = models.ForeignKey("ReportEvent", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="photos", verbose_name=_("peristiwa"))
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.REPORT)
    image = models.FileField(_("gambar"), upload_to=photo_path)
    thumbnail = models.FileField(_("gambar kecil"), upload_to=thumb_path, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    # A proof photo: how far from the report's place its own GPS (EXIF, read before the
    # metadata was stripped) says it was taken; None when it carried no location.
    gps_distance_m = models.FloatField(_("jarak lokasi foto (m)"), null=True, blank=True)
    created_at = models.DateTimeField(_("diunggah"))

    # The public copy (decision 0013): faces and plates blurred by the worker. Until
    # blurred_at is set the public sees no photo at all, never the original.
    public_image = models.FileField(_("gambar publik"), upload_to=public_path, blank=True)
    public_thumbnail = models.FileField(_("gambar kecil publik"), upload_to=public_thumb_path,
                                        blank=True)
    # Regions blurred in the public copy, in the stored image's pixels
    # (sigap.lib.anonymise): those the detector found and those a dispatcher drew.
    blur_regions = models.JSONField(_("area disamarkan"), default=list, blank=True)
    detected_at = models.DateTimeField(_("dideteksi"), null=True, blank=True)
    # Bumped by each change of the regions; a copy rendered for an older one is discarded.
    blur_revision = models.PositiveIntegerField(_("revisi samaran"), default=0)
    blurred_at = models.DateTimeField(_("disamarkan"), null=True, blank=True)

    objects = city_manager("report__city", queryset=PublicQuerySet)

    class Meta:
        verbose_name = _("foto")
        verbose_name_plural = pgettext_lazy("plural", "foto")
        ordering = ["created_at", "pk"]
        indexes = [
            # Only the photos still waiting for a thumbnail (tasks.make_missing_thumbnails).
            models.Index(fields=["created_at"], name="photo_without_thumbnail",
                         condition=Q(thumbnail="")),
            # Only the photos whose public copy is still to be made (tasks.anonymise_*).
            models.Index(fields=["created_at"], name="photo_not_blurred",
                         condition=Q(blurred_at__isnull=True)),
        ]

    def __str__(self):
        return self.image.name

    @property
    def thumb_url(self) -> str:
        return (self.thumbnail or self.image).url

    @property
    def public_url(self) -> str | None:
        """Return the blurred copy's address, or None while it is being made."""
        return self.public_image.url if self.blurred_at and self.public_image else None

    @property
    def public_thumb_url(self) -> str | None:
        if not (self.blurred_at and self.public_image):
            return None
        return (self.public_thumbnail or self.public_image).url


class ReportEvent(PublicModel):
    """One line of a report's history. Append-only: never edited, never deleted."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Laporan dibuat")
        STATUS = "status", _("Perubahan status")
        ASSIGNED = "assigned", _("Penugasan")
        REASSIGNED = "reassigned", _("Dialihkan ke dinas lain")
        COMMENT = "comment", _("Komentar warga")
        PUBLIC_NOTE = "public_note", _("Catatan publik")
        INTERNAL_NOTE = "internal_note", _("Catatan internal")
        DUPLICATE = "duplicate", _("Digabung sebagai duplikat")
        MERGED = "merged", _("Menerima duplikat")
        RATING = "rating", _("Penilaian")
        SUPPORT = "support", _("Dukungan")
        REMINDER = "reminder", _("Pengingat SLA")
        ESCALATION = "escalation", _("Eskalasi SLA")
        SLA_PAUSED = "sla_paused", _("SLA dijeda")
        SLA_RESUMED = "sla_resumed", _("SLA dilanjutkan")
        RECATEGORISED = "recategorised", _("Kategori diubah")
        PAGE = "page", _("Panggilan darurat ke petugas jaga")
        PAGE_ACK = "page_ack", _("Panggilan darurat diterima")
        PAGE_ESCALATED = "page_escalated", _("Panggilan darurat dieskalasi ke kepala dinas")
        PRIORITY = "priority", _("Prioritas diubah")
        DEADLINE = "deadline", _("Tenggat diubah")
        BLUR = "blur", _("Area samaran foto diubah")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("laporan"), db_index=False)  # event_report_at
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    action = models.CharField(_("tindakan"), max_length=20, blank=True)
    old = models.CharField(_("nilai lama"), max_length=120, blank=True)
    new = models.CharField(_("nilai baru"), max_length=120, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("pelaku"),
                              db_index=False)
    actor_role = models.CharField(_("peran pelaku"), max_length=20, blank=True)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("dinas"))
    note = models.TextField(_("catatan"), blank=True)
    is_public = models.BooleanField(_("publik"), default=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    at = models.DateTimeField(_("waktu"))

    objects = city_manager("report__city", queryset=PublicQuerySet)

    class Meta:
        verbose_name = _("riwayat laporan")
        verbose_name_plural = pgettext_lazy("plural", "riwayat laporan")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["report", "at"], name="event_report_at"),
            models.Index(fields=["actor"], name="event_actor", condition=Q(actor__isnull=False)),
        ]

    def __str__(self):
        return f"{self.report_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("ReportEvent is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("ReportEvent is append-only")


class Support(models.Model):
    """A "saya juga" (+1): one per person (signed-in user or browser key) per report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    supporter_key = models.CharField(max_length=80)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True,
                             blank=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("dukungan")
        verbose_name_plural = pgettext_lazy("plural", "dukungan")
        constraints = [
            models.UniqueConstraint(fields=["report", "supporter_key"], name="support_once")
        ]


class Follower(models.Model):
    """Someone notified of a report's public changes (besides the reporter)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="following")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("pengikut")
        verbose_name_plural = pgettext_lazy("plural", "pengikut")
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="follow_once")]


class IdempotencyKey(models.Model):
    """The first answer to a create request, replayed when the same key is sent again."""

    scope = models.CharField(max_length=120)
    key = models.CharField(max_length=120)
    report = models.ForeignKey(Report, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_once")
        ]


class DataVersion(models.Model):
    """One counter bumped inside every transaction that changes public report data.

    Cached public reads are keyed by it (sigap.reports.freshness), so they are never stale;
    bumping inside the writing transaction costs no extra commit.
    """

    value = models.PositiveBigIntegerField(default=0)


class Outbox(models.Model):
    """An event whose consequences (notifications) are still to be worked out.

    Written in the same transaction as the event, deleted by the worker that handled it
    (sigap.reports.outbox): a committed event is never forgotten, whatever happens to the
    process or the queue after the commit.
    """

    event = models.OneToOneField(ReportEvent, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("kejadian menunggu diproses")
        verbose_name_plural = pgettext_lazy("plural", "kejadian menunggu diproses")


class ModerationQuerySet(PublicQuerySet):
    def waiting(self):
        """The items the city's desk still has to decide: flagged or held."""
        return self.filter(state__in=[Moderation.State.FLAGGED, Moderation.State.HELD])


class Moderation(PublicModel):
    """The moderation of one public comment (an event) or one photo of a report.

    A comment or photo without a row is shown. Flags from the public put it in the city's
    queue ("flagged", still shown); a comment with a word of the city's filter is "held"
    (not shown) from the start; the desk hides it (not shown on any public surface, still
    in the history for staff, with who, when and why) or keeps it (shown). The event
    itself is never edited (the history is append-only): this row says how it is shown.
    """

    class State(models.TextChoices):
        FLAGGED = "flagged", _("Dilaporkan warga")
        HELD = "held", _("Ditahan untuk ditinjau")
        HIDDEN = "hidden", _("Disembunyikan")
        KEPT = "kept", _("Ditampilkan")

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("kota"))
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="moderations",
                               verbose_name=_("laporan"))
    event = models.OneToOneField(ReportEvent, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="moderation", verbose_name=_("komentar"))
    photo = models.OneToOneField(Photo, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="moderation", verbose_name=_("foto"))
    state = models.CharField(_("status moderasi"), max_length=10, choices=State.choices)
    flag_count = models.PositiveIntegerField(_("jumlah laporan warga"), default=0)
    held_for = models.CharField(_("kata yang ditahan"), max_length=100, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("diputuskan oleh"))
    decided_at = models.DateTimeField(_("diputuskan"), null=True, blank=True)
    reason = models.CharField(_("alasan keputusan"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("dibuat"))
    updated_at = models.DateTimeField(_("diperbarui"))

    objects = city_manager(queryset=ModerationQuerySet)

    class Meta:
        verbose_name = _("moderasi")
        verbose_name_plural = pgettext_lazy("plural", "moderasi")
        constraints = [
            models.CheckConstraint(
                name="moderation_comment_or_photo",
                condition=(Q(event__isnull=False, photo__isnull=True)
                           | Q(event__isnull=True, photo__isnull=False))),
        ]
        indexes = [
            models.Index(fields=["city", "state"], name="moderation_queue",
                         condition=Q(state__in=["flagged", "held"])),
        ]

    def __str__(self):
        return f"{self.report_id} {'photo' if self.photo_id else 'comment'} {self.state}"

    @property
    def is_shown(self) -> bool:
        return self.state not in UNSHOWN


# What the public never sees of a comment or a photo: held for review, or hidden.
UNSHOWN = (Moderation.State.HELD, Moderation.State.HIDDEN)
SHOWN = ~Q(moderation__state__in=UNSHOWN)  # on ReportEvent and Photo querysets


class Flag(models.Model):
    """One person's report of a public comment or photo (once per account or browser)."""

    class Reason(models.TextChoices):
        ABUSE = "abuse", _("Kasar, menghina atau mengancam")
        PRIVACY = "privacy", _("Membuka data pribadi orang")
        SPAM = "spam", _("Iklan atau spam")
        OTHER = "other", _("Lainnya")

    moderation = models.ForeignKey(Moderation, on_delete=models.CASCADE, related_name="flags",
                                   verbose_name=_("moderasi"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("pengguna"))
    # Who flagged, once: "u:<user id>" for an account, "d:<device>" for a browser.
    flagger = models.CharField(_("pelapor moderasi"), max_length=64)
    reason = models.CharField(_("alasan"), max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(_("dibuat"))

    objects = city_manager("moderation__city")

    class Meta:
        verbose_name = _("laporan konten")
        verbose_name_plural = pgettext_lazy("plural", "laporan konten")
        constraints = [
            models.UniqueConstraint(fields=["moderation", "flagger"], name="flag_once"),
        ]

    def __str__(self):
        return f"{self.moderation_id} {self.reason}"


class BlockedWord(models.Model):
    """A word of a city's filter: a new comment containing it waits for the desk."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("kota"))
    word = models.CharField(_("kata"), max_length=100)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("ditambahkan oleh"))
    created_at = models.DateTimeField(_("dibuat"))

    objects = city_manager()

    class Meta:
        verbose_name = _("kata yang disaring")
        verbose_name_plural = pgettext_lazy("plural", "kata yang disaring")
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(fields=["city", "word"], name="blocked_word_once_per_city"),
        ]

    def __str__(self):
        return self.word
