"""The Open311 GeoReport v2 adapter: our model → Open311 and Open311 input → our services.

Open311 names live here and in views.py only; models and services never see them.
"""

from __future__ import annotations

import functools
import math
import re
from datetime import datetime, time, timedelta, timezone as dt_timezone

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Exists, F, FloatField, OuterRef, Prefetch
from django.db.models.functions import Cast
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language, gettext as _

from sigap.agencies.models import Category, CategoryAttribute
from sigap.cities.models import Area
from sigap.cities.timezones import zone_of
from sigap.lib.geo import EARTH_RADIUS_M, bbox_around
from sigap.reports import catalogue, privacy, workflow
from sigap.reports.models import SHOWN, Photo, Report, ReportEvent

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
MAX_PAGE = 1000
MAX_IDS = 100
MAX_WINDOW = timedelta(days=90)
DEFAULT_RADIUS_M = 1000.0
MAX_RADIUS_M = 20_000.0
MAX_MEDIA = 3
# Public history shown as `notes` with extensions=true.
NOTE_KINDS = (ReportEvent.Kind.CREATED, ReportEvent.Kind.STATUS, ReportEvent.Kind.ASSIGNED,
              ReportEvent.Kind.REASSIGNED, ReportEvent.Kind.DUPLICATE,
              ReportEvent.Kind.PUBLIC_NOTE)


class Problem(Exception):
    """A request Open311 answers with an error list (400 unless told otherwise)."""

    def __init__(self, description, status: int = 400, items=None):
        super().__init__(str(description))
        self.status = status
        self.items = items or [(status, str(description))]


def problems_from(exc: ValidationError) -> Problem:
    """Return a 400 Problem listing every field error of a service's ValidationError."""
    items = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            for message in messages:
                items.append((400, f"{field}: {message}"))
    else:
        items = [(400, message) for message in exc.messages]
    return Problem(items[0][1] if items else _("Permintaan tidak valid."), items=items)


# --- Output: our model → Open311 -----------------------------------------------------------

def w3c(value: datetime | None, tz) -> str | None:
    """Return a W3C date-time in the city's zone (e.g. 2026-11-02T10:00:00+08:00)."""
    if value is None:
        return None
    return value.astimezone(tz).isoformat(timespec="seconds")


def service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        # The public description only: `description` holds the pack's internal notes.
        "description": category.public_description or None,
        "metadata": bool(category.has_attributes),
        "type": "realtime",
        "keywords": category.keywords or None,
        "group": str(category.agency),
    }


def services_queryset(city):
    """Return the city's active categories with what the service list shows, in 2 joins."""
    return Category.objects.filter(city=city, is_active=True).select_related("agency").annotate(
        has_attributes=Exists(CategoryAttribute.objects.filter(category=OuterRef("pk"))))


def service_definition(category: Category) -> dict:
    attributes = []
    for attr in category.attributes.all():
        lists = attr.datatype in (attr.Datatype.SINGLE, attr.Datatype.MULTI)
        item = {
            "variable": True,
            "code": attr.code,
            "datatype": attr.datatype,
            "required": attr.required,
            "datatype_description": str(attr.get_datatype_display()),
            "order": attr.order,
            "description": attr.label,
        }
        if lists:
            item["values"] = [{"key": key, "name": name} for key, name in attr.choices()]
        attributes.append(item)
    return {"service_code": category.code, "attributes": attributes}


@functools.lru_cache(maxsize=8)
def _level_labels(language: str) -> tuple[str, str]:
    """Return the translated "Kelurahan"/"Kecamatan" labels (once per language, not per row)."""
    return str(Area.Level.KELURAHAN.label), str(Area.Level.KECAMATAN.label)


def address_of(report: Report, city) -> str:
    """Return the address from most specific to most general (no street when sensitive)."""
    parts = []
    if street := privacy.address(report, privacy.public_view(report)):
        parts.append(street)
    kelurahan_label, kecamatan_label = _level_labels(get_language() or "")
    if report.kelurahan_id:
        parts.append(f"{kelurahan_label} {report.kelurahan.name}")
    if report.kecamatan_id:
        parts.append(f"{kecamatan_label} {report.kecamatan.name}")
    parts.append(city.name)
    return ", ".join(parts)


def media_url(report: Report, build_uri) -> str | None:
    if report.category.is_sensitive:
        return None
    photos = getattr(report, "report_photos", None)
    if photos is None:
        photos = list(report.photos.filter(SHOWN, kind=Photo.Kind.REPORT))
    if photos:
        # The blurred public copy only (decision 0013); none while it is being made.
        url = photos[0].public_url
        return build_uri(url) if url else None
    meta = getattr(report, "open311_meta", None) if _has_meta(report) else None
    return (meta.media_url or None) if meta else None


def _has_meta(report: Report) -> bool:
    try:
        report.open311_meta  # noqa: B018 - loaded by select_related in for_open311()
    except Report.open311_meta.RelatedObjectDoesNotExist:
        return False
    return True


def request(report: Report, city, build_uri, *, extensions: bool = False) -> dict:
    """Return a report as an Open311 service request (its times in its city's zone)."""
    tz = zone_of(report.city_id)
    status = workflow.open311_status(report.status)
    updated = report.updated_at
    if status == "closed":
        updated = report.closed_at or report.resolved_at or report.updated_at
    view = privacy.public_view(report)
    lat, lng = privacy.location(report, view)
    item = {
        "service_request_id": report.ticket,
        "status": status,
        "status_notes": report.status_note or None,
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": privacy.description(report, view) or None,
        "agency_responsible": report.agency.name,
        "service_notice": report.category.notice or None,
        "requested_datetime": w3c(report.created_at, tz),
        "updated_datetime": w3c(updated, tz),
        "expected_datetime": w3c(report.due_at, tz),
        "address": address_of(report, city),
        "address_id": report.kelurahan.code if report.kelurahan_id else None,
        "zipcode": (report.kelurahan.postal_code or None) if report.kelurahan_id else None,
        "lat": lat,
        "long": lng,
        "media_url": media_url(report, build_uri),
    }
    if extensions:
        item["extended_attributes"] = {
            "sigap_status": report.status,
            "kelurahan": report.kelurahan.name if report.kelurahan_id else None,
            "kecamatan": report.kecamatan.name if report.kecamatan_id else None,
            "support_count": report.support_count,
            "comment_count": report.comment_count,
        }
        item["notes"] = [note(event, tz) for event in report.public_notes]
    return item


def note(event: ReportEvent, tz) -> dict:
    """Return one line of public history (never who did it)."""
    kind = "note" if event.kind == ReportEvent.Kind.PUBLIC_NOTE else "status_change"
    status = workflow.open311_status(event.new) if event.new in workflow.Status.values else None
    return {
        "datetime": w3c(event.at, tz),
        "type": kind,
        "status": status,
        "sigap_status": event.new if event.new in workflow.Status.values else None,
        "description": event.note or None,
    }


# What a service request shows of a report (the rest is never loaded for a list).
REQUEST_FIELDS = (
    "city_id", "ticket", "status", "status_note", "category_id", "description", "agency_id",
    "created_at", "updated_at", "resolved_at", "closed_at", "due_at", "address", "lat", "lng",
    "kelurahan_id", "kecamatan_id", "support_count", "comment_count", "is_public",
    "open311_meta__media_url", "open311_meta__report_id",
)


def requests_queryset(*, extensions: bool = False):
    """Return public reports with what a page of Open311 requests shows, no N+1.

    Categories, agencies and areas repeat on every row: `load()` attaches them from the
    per-worker catalogue (sigap.reports.catalogue) instead of querying them per page.
    """
    qs = Report.objects.public().select_related("open311_meta").only(
        *REQUEST_FIELDS).prefetch_related(
        Prefetch("photos", queryset=Photo.objects.filter(SHOWN, kind=Photo.Kind.REPORT),
                 to_attr="report_photos"))
    if extensions:
        qs = qs.prefetch_related(Prefetch(
            "events", to_attr="public_notes",
            queryset=ReportEvent.objects.filter(is_public=True, kind__in=NOTE_KINDS)
            .order_by("at", "pk")))
    return qs


def load(qs, city) -> list[Report]:
    """Evaluate a requests_queryset() and attach the city's catalogue to each report."""
    return catalogue.attach(qs, city)


# --- Input parsing -------------------------------------------------------------------------

def get(params, name: str) -> str:
    """Return a parameter, stripped; an empty parameter is the same as an absent one."""
    value = params.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def number(params, name: str, *, low: float | None = None, high: float | None = None):
    raw = get(params, name)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Problem(_("%(p)s harus berupa angka.") % {"p": name}) \
            from None
    if not math.isfinite(value) or (low is not None and value < low) or \
            (high is not None and value > high):
        raise Problem(_("%(p)s di luar rentang yang diizinkan.")
                      % {"p": name})
    return value


def integer(params, name: str, *, default: int, low: int, high: int | None = None) -> int:
    raw = get(params, name)
    if not raw:
        return default
    if not re.fullmatch(r"\d{1,9}", raw):
        raise Problem(_("%(p)s harus bilangan bulat positif.") % {"p": name})
    value = int(raw)
    if value < low:
        raise Problem(_("%(p)s minimal %(n)d.")
                      % {"p": name, "n": low})
    return min(value, high) if high is not None else value


def date_time(params, name: str, tz, *, end_of_day: bool = False) -> datetime | None:
    """Return a W3C date-time (a bare date means the day in the city's zone)."""
    raw = get(params, name)
    if not raw:
        return None
    # An unencoded "+08:00" in a query string arrives as " 08:00".
    raw = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw)
    try:
        day = parse_date(raw) if re.fullmatch(r"\d{4}-\d\d-\d\d", raw) else None
        if day is not None:
            value = datetime.combine(day, time.max if end_of_day else time.min)
        else:
            value = parse_datetime(raw)
    except ValueError:
        value = None
    if value is None:
        raise Problem(_("%(p)s bukan tanggal W3C (contoh 2026-11-02T10:00:00+08:00).")
                      % {"p": name})
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    try:
        # In UTC: databases refuse exotic offsets (PostgreSQL stops at ±15:59).
        return value.astimezone(dt_timezone.utc)
    except OverflowError:
        raise Problem(_("%(p)s di luar jangkauan.") % {"p": name}) \
            from None


def csv_list(params, name: str, *, limit: int = MAX_IDS) -> list[str]:
    values = [v.strip() for v in get(params, name).split(",") if v.strip()]
    if len(values) > limit:
        raise Problem(_("Paling banyak %(n)d nilai untuk %(p)s.")
                      % {"n": limit, "p": name})
    return values


def filter_requests(qs, params, city, now: datetime, *, with_circle: bool = True):
    """Apply GET requests' arguments and extensions to `qs`; raise Problem on bad input.

    with_circle=False leaves out lat/long/radius (validated still): the caller then picks the
    newest reports in the circle with sigap.reports.nearby, which reads far fewer rows.
    """
    tz = city.tz
    # One jurisdiction's requests: the catalogue attached to each row is its city's.
    qs = qs.filter(city_id=city.pk)
    ids = csv_list(params, "service_request_id")
    if ids:  # the id list overrides every other argument
        return qs.filter(ticket__in=ids)
    codes = csv_list(params, "service_code")
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = csv_list(params, "status", limit=2)
    if statuses:
        unknown = set(statuses) - {"open", "closed"}
        if unknown:
            raise Problem(_("status hanya boleh open atau closed."))
        if set(statuses) == {"open"}:
            qs = qs.filter(status__in=workflow.OPEN)
        elif set(statuses) == {"closed"}:
            qs = qs.filter(status__in=workflow.CLOSED_FOR_OPEN311)
    start = date_time(params, "start_date", tz)
    end = date_time(params, "end_date", tz, end_of_day=True)
    if start and end and start > end:
        raise Problem(_("start_date harus sebelum end_date."))
    if start and end and end - start > MAX_WINDOW:
        raise Problem(_("Rentang tanggal paling lama 90 hari."))
    try:
        if start is None and end is None:
            end, start = None, now - MAX_WINDOW
        elif start is None:
            start = end - MAX_WINDOW
        elif end is None:
            end = start + MAX_WINDOW
    except OverflowError:
        raise Problem(_("Tanggal di luar jangkauan.")) from None
    qs = qs.filter(created_at__gte=start)
    if end is not None:
        qs = qs.filter(created_at__lte=end)
    after = date_time(params, "updated_after", tz)
    before = date_time(params, "updated_before", tz, end_of_day=True)
    if after:
        qs = qs.filter(updated_at__gt=after)
    if before:
        qs = qs.filter(updated_at__lt=before)
    qs = _geo_filter(qs, params, with_circle=with_circle)
    return qs


def circle(params) -> tuple[float, float, float] | None:
    """Return (lat, long, radius in metres) asked for, or None; raise Problem on bad input."""
    lat = number(params, "lat", low=-90, high=90)
    lng = number(params, "long", low=-180, high=180)
    radius = number(params, "radius", low=0, high=MAX_RADIUS_M)
    if (lat is None) != (lng is None):
        raise Problem(_("lat dan long harus dikirim bersama."))
    if lat is None:
        return None
    return lat, lng, DEFAULT_RADIUS_M if radius is None else radius


def _geo_filter(qs, params, *, with_circle: bool = True):
    around = circle(params)
    if around is not None and with_circle:
        lat, lng, radius = around
        min_lat, min_lng, max_lat, max_lng = bbox_around(lat, lng, radius)
        # The box uses the (lat, lng) index; then an exact-enough circle in plain arithmetic
        # (equirectangular at city scale: error far below a metre per kilometre).
        k = math.cos(math.radians(lat))
        r_deg = math.degrees(radius / EARTH_RADIUS_M)
        qs = qs.in_bbox(min_lat, min_lng, max_lat, max_lng).alias(
            d2=Cast((F("lat") - lat) * (F("lat") - lat)
                    + (F("lng") - lng) * (F("lng") - lng) * (k * k), FloatField()),
        ).filter(d2__lte=r_deg * r_deg)
    bbox = get(params, "bbox")
    if bbox:
        parts = bbox.split(",")
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            raise Problem(_("bbox harus berupa barat,selatan,timur,utara (bujur,lintang,bujur,"
                            "lintang).")) from None
        if not all(math.isfinite(v) for v in (west, south, east, north)) or west > east \
                or south > north or not (-90 <= south and north <= 90) \
                or not (-180 <= west and east <= 180):
            raise Problem(_("bbox tidak valid."))
        qs = qs.in_bbox(south, west, north, east)
    return qs


def attributes(post) -> dict:
    """Return attribute[CODE] and attribute[CODE][] values as {code: value or [values]}."""
    answers: dict = {}
    for key in post:
        match = re.fullmatch(r"attribute\[([^\]]+)\](\[\])?", key)
        if not match:
            continue
        code, many = match.group(1), bool(match.group(2))
        values = [v for v in post.getlist(key)]
        answers[code] = values if many else values[-1]
    return answers


def location(post, city) -> tuple[float, float, str]:
    """Return (lat, lng, address) from lat/long, address_id or address_string."""
    lat = number(post, "lat", low=-90, high=90)
    lng = number(post, "long", low=-180, high=180)
    address = get(post, "address_string")[:300]
    if lat is not None and lng is not None:
        return lat, lng, address
    if (lat is None) != (lng is None):
        raise Problem(_("lat dan long harus dikirim bersama."))
    address_id = get(post, "address_id")
    if address_id:
        area = Area.objects.filter(city=city, level=Area.Level.KELURAHAN, code=address_id,
                                   centroid_lat__isnull=False).first()
        if area is None:
            raise Problem(_("address_id tidak dikenal: pakai kode Kemendagri kelurahan "
                            "(mis. 53.71.01.1001)."))
        return area.centroid_lat, area.centroid_lng, address or area.name
    if address:
        area = _kelurahan_in(address, city)
        if area is None:
            raise Problem(_("Alamat tidak dikenali: sebutkan nama kelurahan di %(city)s, atau "
                            "kirim lat dan long.") % {"city": city.name})
        return area.centroid_lat, area.centroid_lng, address
    raise Problem(_("Lokasi wajib: kirim lat dan long, address_string atau address_id."))


def _kelurahan_in(text: str, city) -> Area | None:
    """Return the kelurahan whose name appears in `text` (the longest name wins)."""
    haystack = f" {re.sub(r'[^a-z0-9]+', ' ', text.lower())} "
    best = None
    areas = Area.objects.filter(city=city, level=Area.Level.KELURAHAN,
                                centroid_lat__isnull=False).only(
        "name", "centroid_lat", "centroid_lng")
    for area in areas:
        name = re.sub(r"[^a-z0-9]+", " ", area.name.lower()).strip()
        if name and f" {name} " in haystack and (best is None or len(name) > len(best[0])):
            best = (name, area)
    return best[1] if best else None


def contact(post) -> tuple[str, str, str]:
    """Return (name, phone, email) of the reporter; raise Problem on a malformed e-mail."""
    name = " ".join(p for p in (get(post, "first_name"), get(post, "last_name")) if p)
    email = get(post, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Problem(_("email tidak valid.")) from None
    return name[:120], get(post, "phone")[:30], email


def media_reference(post) -> str:
    """Return media_url as given (stored as a reference, never fetched)."""
    url = get(post, "media_url")
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise Problem(_("media_url harus tautan http(s).")) \
            from None
    if len(url) > 500:
        raise Problem(_("media_url terlalu panjang."))
    return url
