from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language, gettext_lazy as _, pgettext_lazy

from sigap.cities.tenancy import city_manager
from sigap.lib import memo
from sigap.lib.publicdata import ConfigurationModel, ConfigurationQuerySet

_INTAKE = memo.configuration()


class Agency(ConfigurationModel):
    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="agencies",
                             verbose_name=_("kota"))
    code = models.CharField(_("kode"), max_length=20)
    name = models.CharField(_("nama"), max_length=160)
    short_name = models.CharField(_("nama singkat"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telepon"), max_length=40, blank=True)
    address = models.CharField(_("alamat"), max_length=200, blank=True)
    is_field_agency = models.BooleanField(
        _("dinas lapangan"), default=True,
        help_text=_("Tidak dicentang untuk meja triase admin kota (kategori Lainnya)."))
    auto_assign = models.BooleanField(
        _("penugasan otomatis"), default=False,
        help_text=_("Laporan terverifikasi langsung ditugaskan ke tim kecamatannya dan "
                    "petugas dengan beban paling ringan."))
    working_hours_only = models.BooleanField(
        _("SLA hanya jam kerja"), default=False,
        help_text=_("Hitung tenggat hanya pada jam kerja (Senin–Jumat) di luar hari libur."))
    work_start = models.TimeField(_("jam kerja mulai"), default="08:00")
    work_end = models.TimeField(_("jam kerja selesai"), default="16:00")

    objects = city_manager(queryset=ConfigurationQuerySet)

    class Meta:
        verbose_name = _("dinas (OPD)")
        verbose_name_plural = pgettext_lazy("plural", "dinas (OPD)")
        ordering = ["city", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="agency_unique_code_per_city"),
            models.CheckConstraint(
                condition=models.Q(work_end__gt=models.F("work_start")),
                name="agency_work_ends_after_start",
                violation_error_message=_("Jam kerja selesai harus setelah jam kerja mulai.")),
        ]

    def __str__(self):
        return self.short_name or self.name

    def clean(self):
        super().clean()
        if self.work_start and self.work_end and self.work_end <= self.work_start:
            raise ValidationError({"work_end": _(
                "Jam kerja selesai harus setelah jam kerja mulai.")})


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="teams",
                               verbose_name=_("dinas"))
    code = models.CharField(_("kode"), max_length=40)
    name = models.CharField(_("nama"), max_length=120)
    kecamatan = models.ManyToManyField(
        "cities.Area", blank=True, related_name="teams", verbose_name=_("kecamatan yang dilayani"),
        limit_choices_to={"level": "kecamatan"})
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="teams",
                                     verbose_name=_("anggota"))

    objects = city_manager("agency__city")

    class Meta:
        verbose_name = _("tim reaksi cepat")
        verbose_name_plural = pgettext_lazy("plural", "tim reaksi cepat")
        ordering = ["agency", "code"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="team_unique_code_per_agency")
        ]

    def __str__(self):
        return self.name


class Category(ConfigurationModel):
    class Priority(models.IntegerChoices):
        URGENT = 1, _("Darurat")
        HIGH = 2, _("Tinggi")
        NORMAL = 3, _("Normal")
        LOW = 4, _("Rendah")

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="categories",
                             verbose_name=_("kota"))
    code = models.CharField(_("kode"), max_length=40)
    name_id = models.CharField(_("nama (Indonesia)"), max_length=120)
    name_en = models.CharField(_("nama (Inggris)"), max_length=120)
    description = models.TextField(
        _("catatan internal"), blank=True,
        help_text=_("Catatan perencanaan untuk staf; tidak pernah diterbitkan."))
    public_description_id = models.CharField(
        _("keterangan publik (Indonesia)"), max_length=300, blank=True,
        help_text=_("Ditampilkan kepada warga dan aplikasi Open311."))
    public_description_en = models.CharField(
        _("keterangan publik (Inggris)"), max_length=300, blank=True)
    group = models.CharField(_("kelompok"), max_length=60, blank=True)
    group_en = models.CharField(_("kelompok (Inggris)"), max_length=60, blank=True)
    icon = models.CharField(_("ikon"), max_length=40, blank=True)
    keywords = models.CharField(_("kata kunci"), max_length=200, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="categories",
                               verbose_name=_("dinas penanggung jawab"))
    response_sla_hours = models.FloatField(_("SLA tanggapan pertama (jam)"), default=24)
    resolve_sla_hours = models.FloatField(_("SLA penyelesaian (jam)"), default=72)
    priority = models.PositiveSmallIntegerField(_("prioritas"), choices=Priority.choices,
                                                default=Priority.NORMAL)
    is_emergency = models.BooleanField(_("darurat"), default=False)
    is_sensitive = models.BooleanField(
        _("sensitif"), default=False,
        help_text=_("Foto dan lokasi persis tidak pernah ditampilkan ke publik."))
    is_triage = models.BooleanField(
        _("triase admin"), default=False,
        help_text=_("Laporan masuk ke antrean triase admin kota untuk dikategorikan ulang."))
    notice = models.TextField(_("pemberitahuan untuk pelapor"), blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=100)

    objects = city_manager(queryset=ConfigurationQuerySet)

    class Meta:
        verbose_name = _("kategori")
        verbose_name_plural = pgettext_lazy("plural", "kategori")
        ordering = ["city", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="category_unique_code_per_city")
        ]

    @classmethod
    def for_intake(cls, city, code: str) -> "Category | None":
        """The active category `code` of `city` with its agency and questions, as new reports
        need it; kept in this worker for SIGAP_CONFIG_CACHE_SECONDS (read-only, shared)."""
        def load():
            return cls.objects.select_related("agency").prefetch_related("attributes").filter(
                city=city, code=code, is_active=True).first()

        return _INTAKE.get((city.pk, code), load)

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """Return the name in the active language (Indonesian unless English is active)."""
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id

    @property
    def public_description(self) -> str:
        """Return the public description in the active language (Indonesian by default)."""
        english = (get_language() or "id").startswith("en")
        return (self.public_description_en if english else "") or self.public_description_id

    @property
    def group_name(self) -> str:
        """Return the group's name in the active language (Indonesian as the fallback)."""
        english = (get_language() or "id").startswith("en")
        return (self.group_en or self.group) if english else self.group


class CategoryAttribute(ConfigurationModel):
    class Datatype(models.TextChoices):
        STRING = "string", _("Teks pendek")
        NUMBER = "number", _("Angka")
        DATETIME = "datetime", _("Tanggal dan jam")
        TEXT = "text", _("Teks panjang")
        SINGLE = "singlevaluelist", _("Pilih satu")
        MULTI = "multivaluelist", _("Pilih beberapa")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes",
                                 verbose_name=_("kategori"))
    code = models.SlugField(_("kode"), max_length=40)
    label_id = models.CharField(_("pertanyaan (Indonesia)"), max_length=200)
    label_en = models.CharField(_("pertanyaan (Inggris)"), max_length=200)
    datatype = models.CharField(_("jenis"), max_length=20, choices=Datatype.choices,
                                default=Datatype.STRING)
    required = models.BooleanField(_("wajib"), default=False)
    order = models.PositiveSmallIntegerField(_("urutan"), default=1)
    values = models.JSONField(
        _("pilihan"), default=list, blank=True,
        help_text=_('Daftar [kunci, nama Indonesia, nama Inggris] untuk jenis pilihan.'))

    class Meta:
        verbose_name = _("pertanyaan tambahan")
        verbose_name_plural = pgettext_lazy("plural", "pertanyaan tambahan")
        ordering = ["category", "order"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="attribute_unique_code"),
            models.UniqueConstraint(fields=["category", "order"], name="attribute_unique_order"),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "id").startswith("en") else self.label_id

    def choices(self) -> list[tuple[str, str]]:
        english = (get_language() or "id").startswith("en")
        return [(v[0], v[2] if english and len(v) > 2 else v[1]) for v in self.values]
