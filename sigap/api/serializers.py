"""Shapes of the REST API. Reading only: every change goes through reports.services."""

from __future__ import annotations

import math

from drf_spectacular.utils import extend_schema_field
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy
from rest_framework import serializers

from sigap.agencies.models import Category, CategoryAttribute
from sigap.cities.models import City
from sigap.lib import safejson, text
from sigap.reports import privacy
from sigap.reports.models import Report, ReportEvent
from sigap.reports.services.moderation import HELD_MESSAGE


class AttributeSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    choices = serializers.SerializerMethodField()

    class Meta:
        model = CategoryAttribute
        fields = ["code", "label", "datatype", "required", "order", "choices"]

    def get_choices(self, attr) -> list[dict]:
        return [{"key": key, "name": name} for key, name in attr.choices()]


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    attributes = AttributeSerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ["code", "name", "name_id", "name_en", "group", "icon", "agency", "agency_name",
                  "is_emergency", "is_sensitive", "notice", "attributes"]


class FiniteFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value



class AnswersField(serializers.JSONField):
    """The answers as a JSON object: in a JSON body as is, in a multipart form as the text of
    one (a form field can only carry text)."""

    def to_internal_value(self, data):
        if isinstance(data, (str, bytes)):
            try:
                data = safejson.loads(data)
            except ValueError:
                self.fail("invalid")
        return super().to_internal_value(data)


class ReportCreateSerializer(serializers.Serializer):
    """A new report; photos as repeated multipart `photos` files."""

    category = serializers.CharField(max_length=40)
    lat = FiniteFloatField(min_value=-90, max_value=90)
    lng = FiniteFloatField(min_value=-180, max_value=180)
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True,
                                        default="", trim_whitespace=False)
    answers = AnswersField(required=False, default=dict)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    is_anonymous = serializers.BooleanField(required=False, default=False)
    contact_name = serializers.CharField(max_length=120, required=False, allow_blank=True,
                                         default="")
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True,
                                          default="")
    contact_email = serializers.EmailField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                   max_length=3)

    def validate_answers(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(
                _("Harus berupa objek JSON."))
        if text.first_control(value) is not None:
            raise serializers.ValidationError(_("Karakter kontrol tidak diizinkan di %(name)s.")
                                              % {"name": "answers"})
        return value


class ReportListSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    kelurahan = serializers.CharField(source="kelurahan.name", read_only=True, default=None)
    kecamatan = serializers.CharField(source="kecamatan.name", read_only=True, default=None)
    lat = serializers.SerializerMethodField()
    lng = serializers.SerializerMethodField()
    address = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["ticket", "status", "status_label", "category", "category_name", "agency",
                  "lat", "lng", "address", "kelurahan", "kecamatan", "created_at", "updated_at",
                  "due_at", "support_count", "comment_count"]

    def to_representation(self, report):
        # Times in the report's city's zone (a Jayapura report made at 09:00 WIT says
        # 09:00+09:00), whatever city's host name the request came by.
        city = City.all_cached().get(report.city_id)
        with timezone.override(city.tz if city else None):
            return super().to_representation(report)

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def _staff(self, report) -> bool:
        return privacy.is_staff_viewer(self._user(), report)

    def _view(self, report) -> privacy.View:
        return privacy.view_for(report, user=self._user())

    def get_lat(self, report) -> float:
        return privacy.location(report, self._view(report))[0]

    def get_lng(self, report) -> float:
        return privacy.location(report, self._view(report))[1]

    def get_address(self, report) -> str:
        return privacy.address(report, self._view(report))


class PhotoSerializer(serializers.Serializer):
    """One photo as the caller may see it (reports.privacy.PhotoLink): the office gets the
    original, everyone else the copy with faces and plates blurred, and no address at all
    (`pending`) while that copy is being made."""

    kind = serializers.CharField(source="photo.kind")
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    pending = serializers.BooleanField()
    width = serializers.IntegerField(source="photo.width")
    height = serializers.IntegerField(source="photo.height")
    created_at = serializers.DateTimeField(source="photo.created_at")

    def _absolute(self, url: str | None) -> str | None:
        return self.context["request"].build_absolute_uri(url) if url else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_url(self, link) -> str | None:
        return self._absolute(link.url)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail_url(self, link) -> str | None:
        return self._absolute(link.thumb_url)


class EventSerializer(serializers.ModelSerializer):
    """One timeline line; who acted is named only to staff of the handling agency."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ReportEvent
        fields = ["at", "kind", "kind_label", "action", "old", "new", "actor_role", "note",
                  "is_public", "actor"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event):
        if self.context.get("staff") and event.actor_id:
            return str(event.actor)
        return None


class ReportDetailSerializer(ReportListSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    photos = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()

    class Meta(ReportListSerializer.Meta):
        fields = ReportListSerializer.Meta.fields + [
            "description", "answers", "agency_name", "status_note", "resolved_at", "closed_at",
            "rating", "photos", "timeline", "contact"]

    def get_description(self, report) -> str:
        return privacy.description(report, self._view(report))

    @extend_schema_field(serializers.DictField())
    def get_answers(self, report):
        return privacy.answers(report, self._view(report))

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, report):
        links = privacy.photo_links(report, self._view(report), report.photos.all(),
                                    staff=self._staff(report))
        return PhotoSerializer(links, many=True, context=self.context).data

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, report):
        staff = self._staff(report)
        events = [e for e in report.events.all()
                  if staff or (e.is_public and privacy.shown(e))]
        return EventSerializer(events, many=True, context={**self.context, "staff": staff}).data

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_contact(self, report):
        if not privacy.can_see_contacts(self._user(), report):
            return None
        return {"name": report.contact_name, "phone": report.contact_phone,
                "email": report.contact_email,
                "reporter": str(report.reporter) if report.reporter_id else None}


class CreatedSerializer(ReportDetailSerializer):
    tracking_url = serializers.SerializerMethodField()

    class Meta(ReportDetailSerializer.Meta):
        fields = ReportDetailSerializer.Meta.fields + ["tracking_url"]

    def get_tracking_url(self, report) -> str:
        return self.context["request"].build_absolute_uri(report.tracking_url())


class SupportResultSerializer(serializers.Serializer):
    supported = serializers.BooleanField()
    support_count = serializers.IntegerField()


class CommentSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=1000)


class CommentOutSerializer(serializers.ModelSerializer):
    held = serializers.SerializerMethodField(
        help_text="True when the comment waits for moderation (a filtered word): not shown "
                  "until the city's desk publishes it")
    message = serializers.SerializerMethodField()

    class Meta:
        model = ReportEvent
        fields = ["at", "note", "actor_role", "held", "message"]

    def get_held(self, event) -> bool:
        return bool(getattr(event, "held_for", ""))

    def get_message(self, event) -> str:
        return str(HELD_MESSAGE) if getattr(event, "held_for", "") else ""


# --- Back-office actions -------------------------------------------------------------------

class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    officer = serializers.CharField(max_length=150, required=False, allow_blank=True,
                                    help_text="Username of an officer of the handling agency.")
    team = serializers.CharField(max_length=40, required=False, allow_blank=True,
                                 help_text="Code of a team of the handling agency.")

    def validate(self, data):
        if not data.get("officer") and not data.get("team"):
            raise serializers.ValidationError(
                {"officer": _("Pilih tim atau petugas.")})
        return data


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000)
    photo = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=5)


class DuplicateSerializer(serializers.Serializer):
    of = serializers.CharField(max_length=32, help_text="Ticket of the report that is kept.")
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReassignSerializer(serializers.Serializer):
    agency = serializers.CharField(max_length=20, help_text="Code of the receiving agency.")
    reason = serializers.CharField(max_length=1000)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=16, required=False, allow_blank=True,
        help_text="Staff who must use two-step verification (every staff role by default; "
                  "docs/decisions/0008): the current code from their authenticator app, or "
                  "one of their recovery codes. Without it a staff account gets no token: "
                  "400 with an `otp` error.")


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class SuggestQuerySerializer(serializers.Serializer):
    """The question of GET /api/v1/categories/suggest/."""

    text = serializers.CharField(
        min_length=3, max_length=500, trim_whitespace=True,
        help_text="The citizen's words about the problem (3 to 500 characters).",
        error_messages={
            "required": gettext_lazy("Tulis beberapa kata tentang masalahnya."),
            "blank": gettext_lazy("Tulis beberapa kata tentang masalahnya."),
            "min_length": gettext_lazy("Tulis paling sedikit 3 huruf tentang masalahnya."),
            "max_length": gettext_lazy(
                "Teks terlalu panjang untuk saran kategori: paling banyak 500 karakter."),
        })
    city = serializers.SlugField(required=False, max_length=40,
                                 help_text="A city's code (default: the point's city, else "
                                           "the installation's).")
    lat = FiniteFloatField(required=False, min_value=-90, max_value=90)
    lng = FiniteFloatField(required=False, min_value=-180, max_value=180)

    def validate(self, data):
        if ("lat" in data) != ("lng" in data):
            raise serializers.ValidationError({"lat": [_("Kirim lat dan lng bersama.")]})
        return data


class SuggestionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField(help_text="The model's probability, 0 to 1.")
    is_emergency = serializers.BooleanField()


class SuggestResultSerializer(serializers.Serializer):
    city = serializers.CharField()
    model_version = serializers.IntegerField(allow_null=True,
                                             help_text="null: no model trained yet.")
    suggestions = SuggestionSerializer(many=True)
