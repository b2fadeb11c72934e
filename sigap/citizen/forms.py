"""Citizen forms: the report form (plain fields; photos and extra questions read by the view)
and the filters of the city's reports."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from sigap.agencies.models import Category
from sigap.cities.models import Area
from sigap.lib import phones
from sigap.reports.services import MAX_DESCRIPTION, MAX_PHOTOS
from sigap.reports.workflow import OPEN, Status

KEY_RE = re.compile(r"^[A-Za-z0-9\-_]{8,80}$")


def new_submission_key() -> str:
    return uuid.uuid4().hex


class ReportForm(forms.Form):
    """What the citizen types; validation of meaning (place, photos, answers) is the service's."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), to_field_name="code",
        error_messages={"required": _("Pilih kategori masalah."),
                        "invalid_choice": _("Kategori tidak dikenal.")})
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    kelurahan = forms.ModelChoiceField(queryset=Area.objects.none(), required=False,
                                       label=_("Kelurahan"), empty_label=_("— pilih kelurahan —"))
    address = forms.CharField(required=False, max_length=300, label=_("Patokan / alamat"))
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}),  # no maxlength: see report.js
        label=_("Keterangan"),
        max_length=MAX_DESCRIPTION,
        error_messages={"max_length": _(
            "Keterangan terlalu panjang: maksimal %(limit_value)d karakter "
            "(sekarang %(show_value)d).")})
    anonymous = forms.BooleanField(required=False, label=_("Kirim tanpa nama (anonim)"))
    confidential = forms.BooleanField(required=False,
                                      label=_("Jangan tampilkan laporan ini ke publik"))
    contact_name = forms.CharField(required=False, max_length=120, label=_("Nama"))
    contact_phone = forms.CharField(required=False, max_length=30, label=_("Nomor HP"))
    contact_email = forms.EmailField(required=False, label=_("E-mail"),
                                     error_messages={"invalid": _("Alamat e-mail tidak valid.")})

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.city = city
        self.fields["category"].queryset = Category.objects.filter(city=city, is_active=True)
        self.fields["kelurahan"].queryset = Area.objects.filter(
            city=city, level=Area.Level.KELURAHAN).order_by("name")

    def clean_key(self):
        key = self.cleaned_data["key"]
        if not KEY_RE.match(key):
            raise forms.ValidationError(_("Formulir tidak lengkap, muat ulang halaman."))
        return key

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        if not phone:
            return phone
        try:
            return phones.e164(phone)
        except ValueError:
            raise forms.ValidationError(
                _("Nomor HP tidak valid (contoh: 0812 3456 7890).")) from None

    def clean(self):
        data = super().clean()
        lat, lng, kel = data.get("lat"), data.get("lng"), data.get("kelurahan")
        if (lat is None or lng is None) and kel is None:
            self.add_error("lat", _("Tentukan lokasi: ketuk peta, pakai lokasi saya, "
                                    "atau pilih kelurahan."))
        elif lat is None or lng is None:
            # Without JavaScript the place is the chosen kelurahan's centre.
            data["lat"], data["lng"] = kel.centroid_lat, kel.centroid_lng
        return data


def check_uploads(files) -> str | None:
    """Return a message when the uploaded files break the simple limits, else None."""
    if len(files) > MAX_PHOTOS:
        return _("Paling banyak %(n)d foto.") % {"n": MAX_PHOTOS}
    return None


class FilterForm(forms.Form):
    """Filters of the city's reports (all optional; bad values are ignored)."""

    kategori = forms.ModelChoiceField(queryset=Category.objects.none(), required=False,
                                      to_field_name="code", label=_("Kategori"),
                                      empty_label=_("Semua kategori"))
    status = forms.ChoiceField(required=False, label=_("Status"))
    kecamatan = forms.ModelChoiceField(queryset=Area.objects.none(), required=False,
                                       label=_("Kecamatan"), empty_label=_("Semua kecamatan"))
    dari = forms.DateField(required=False, label=_("Dari tanggal"), input_formats=["%Y-%m-%d"],
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    sampai = forms.DateField(required=False, label=_("Sampai tanggal"), input_formats=["%Y-%m-%d"],
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, city, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kategori"].queryset = Category.objects.filter(city=city, is_active=True)
        self.fields["kecamatan"].queryset = Area.objects.filter(
            city=city, level=Area.Level.KECAMATAN).order_by("name")
        public = [s for s in Status if s not in (Status.REJECTED, Status.DUPLICATE)]
        self.fields["status"].choices = (
            [("", _("Semua status")), ("open", _("Belum selesai")),
             ("done", _("Sudah selesai"))] + [(s.value, s.label) for s in public])

    def apply(self, qs, tz):
        """Return `qs` narrowed by the valid filters."""
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("kategori"):
            qs = qs.filter(category=data["kategori"])
        status = data.get("status")
        if status == "open":
            qs = qs.filter(status__in=OPEN)
        elif status == "done":
            qs = qs.filter(status__in=[Status.RESOLVED, Status.CLOSED])
        elif status:
            qs = qs.filter(status=status)
        if data.get("kecamatan"):
            qs = qs.filter(kecamatan=data["kecamatan"])
        if data.get("dari"):
            qs = qs.filter(created_at__gte=datetime.combine(data["dari"], time.min, tzinfo=tz))
        if data.get("sampai"):
            end = datetime.combine(data["sampai"] + timedelta(days=1), time.min, tzinfo=tz)
            qs = qs.filter(created_at__lt=end)
        return qs


class CommentForm(forms.Form):
    text = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           label=_("Komentar"),
                           error_messages={"required": _("Komentar kosong.")})


class ConfirmForm(forms.Form):
    """The reporter's answer to "Sudah beres?"."""

    fixed = forms.ChoiceField(choices=[("yes", _("Ya")), ("no", _("Belum"))])
    stars = forms.TypedChoiceField(choices=[(str(i), str(i)) for i in range(1, 6)],
                                   coerce=int, required=False, empty_value=None)
    comment = forms.CharField(required=False, max_length=1000)
    reason = forms.CharField(required=False, max_length=1000)
