"""Creating a report: validate, route, start its SLA clock and store it with its event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sigap.agencies import routing
from sigap.agencies.models import Category
from sigap.cities.locate import NoCityHere, OutsideCity, city_at, locate
from sigap.cities.models import City
from sigap.lib import phones
from sigap.lib import text as texts
from sigap.reports.models import (
    Follower, IdempotencyKey, Photo, Report, ReportEvent, TicketSequence,
)
from sigap.reports import signals
from sigap.reports.workflow import Role, Status
from sigap.reports.services.common import (
    MAX_DESCRIPTION, _photo_file, _record_change, clean_photos,
)
from sigap.reports.services.sla import due_times


@dataclass
class Contact:
    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass
class NewReport:
    category: Category
    lat: float
    lng: float
    description: str = ""
    answers: dict = field(default_factory=dict)
    address: str = ""
    photos: list[bytes] = field(default_factory=list)
    reporter: object | None = None
    is_anonymous: bool = False
    is_public: bool = True  # False: "confidential", only the agency sees it
    contact: Contact = field(default_factory=Contact)
    source: str = Report.Source.WEB
    external_app: str = ""
    origin: dict = field(default_factory=dict)  # kept in the CREATED event (e.g. API key id)


@dataclass
class Created:
    report: Report
    replayed: bool = False  # True when an Idempotency-Key matched an earlier request


def answers_from_form(data, category: Category | None) -> dict:
    """Return the raw answers to the category's extra questions from a submitted form
    (`attribute[<code>]` fields; a multiple choice as a list), for `validate_answers`."""
    if category is None:
        return {}
    answers = {}
    for attr in category.attributes.all():
        name = f"attribute[{attr.code}]"
        if attr.datatype == attr.Datatype.MULTI:
            answers[attr.code] = data.getlist(name)
        else:
            answers[attr.code] = data.get(name, "").strip()
    return answers


def validate_answers(category: Category, answers: dict) -> dict:
    """Return the answers to the category's extra questions, checked and normalised."""
    answers = answers or {}
    clean: dict = {}
    errors: dict[str, str] = {}
    for attr in category.attributes.all():
        value = answers.get(attr.code)
        empty = value is None or value == "" or value == []
        if empty:
            if attr.required:
                errors[f"attribute[{attr.code}]"] = _("Wajib diisi: %(q)s") % {"q": attr.label}
            continue
        keys = {v[0] for v in attr.values}
        T = attr.Datatype
        if attr.datatype == T.NUMBER:
            try:
                number = float(value)
            except (TypeError, ValueError):
                errors[f"attribute[{attr.code}]"] = _("Harus berupa angka: %(q)s") % {
                    "q": attr.label}
                continue
            if number != number or number in (float("inf"), float("-inf")):
                errors[f"attribute[{attr.code}]"] = _("Harus berupa angka: %(q)s") % {
                    "q": attr.label}
                continue
            clean[attr.code] = number
        elif attr.datatype == T.SINGLE:
            if isinstance(value, list):
                value = value[0] if len(value) == 1 else value
            if not isinstance(value, str) or value not in keys:
                errors[f"attribute[{attr.code}]"] = _("Pilihan tidak dikenal: %(q)s") % {
                    "q": attr.label}
                continue
            clean[attr.code] = value
        elif attr.datatype == T.MULTI:
            values = value if isinstance(value, list) else [value]
            if any(not isinstance(v, str) or v not in keys for v in values):
                errors[f"attribute[{attr.code}]"] = _("Pilihan tidak dikenal: %(q)s") % {
                    "q": attr.label}
                continue
            clean[attr.code] = values
        elif attr.datatype == T.DATETIME:
            from django.utils.dateparse import parse_datetime

            try:  # "2026-01-01T25:00" has the shape of a time but is none (ValueError)
                parsed = parse_datetime(str(value)) if not isinstance(value, datetime) else value
            except ValueError:
                parsed = None
            if parsed is None:
                errors[f"attribute[{attr.code}]"] = _(
                    "Format tanggal tidak dikenal: %(q)s") % {"q": attr.label}
                continue
            clean[attr.code] = parsed.isoformat()
        else:
            text = str(value).strip()
            if len(text) > MAX_DESCRIPTION:
                errors[f"attribute[{attr.code}]"] = _("Terlalu panjang: %(q)s") % {
                    "q": attr.label}
                continue
            if texts.has_control(text):  # PostgreSQL cannot store NUL
                errors[f"attribute[{attr.code}]"] = _(
                    "Karakter kontrol tidak diizinkan di %(name)s.") % {"name": attr.label}
                continue
            clean[attr.code] = text
    if errors:
        raise ValidationError(errors)
    return clean


def _location_error(city) -> ValidationError:
    return ValidationError({"location": _(
        "Lokasi berada di luar wilayah %(city)s. Geser penanda ke dalam kota.")
        % {"city": city.name}})


def _nowhere_error(exc: NoCityHere) -> ValidationError:
    if exc.nearest is None:
        return ValidationError({"location": _("Lokasi tidak valid.")})
    return ValidationError({"location": _(
        "Lokasi berada di luar wilayah %(city)s, wilayah terdekat yang dilayani "
        "(%(km)s km dari titik ini). Geser penanda ke dalam wilayahnya.")
        % {"city": exc.nearest.name, "km": f"{exc.distance_m / 1000:.1f}"}})


def city_of_point(lat, lng) -> City | None:
    """Return the city that serves the point, or None when no city does (or the
    coordinates are not numbers): for adapters that look a category up before creating."""
    try:
        return city_at(float(lat), float(lng))
    except (NoCityHere, TypeError, ValueError):
        return None


def place(city: City, category: Category | None, lat, lng) -> tuple[City, Category | None]:
    """Return the city that serves the point and the category there (routing by place,
    docs/decisions/0012-routing-by-place.md); raise ValidationError.

    `city` is the one the citizen or client addressed (the page, the jurisdiction, the
    channel); the point decides. The category follows the point by its code: each city pack
    names its own agencies, the codes are shared (data/<city>/categories.csv).
    """
    try:
        placed = city_at(float(lat), float(lng))
    except NoCityHere as exc:
        raise _nowhere_error(exc) from None
    except (TypeError, ValueError):
        raise _location_error(city) from None
    if placed.pk == city.pk:
        return city, category
    there = City.objects.defer("boundary").get(pk=placed.pk)
    if category is None or category.city_id == there.pk:
        return there, category
    moved = (Category.objects.select_related("agency")
             .filter(city=there, code=category.code, is_active=True).first())
    if moved is None:
        raise ValidationError({"category": _(
            "Kategori %(category)s tidak dilayani di %(city)s, tempat lokasi ini berada.")
            % {"category": category.name, "city": there.name}})
    return there, moved


def _discard_files(photos: list[Photo]) -> None:
    """Delete the stored files of photos whose rows were not written."""
    for photo in photos:
        photo.image.delete(save=False)


def _replay(idempotency: tuple[str, str]) -> Created | None:
    """The report an earlier request with this idempotency key created, if any."""
    existing = IdempotencyKey.objects.filter(scope=idempotency[0], key=idempotency[1]) \
        .select_related("report").first()
    return Created(existing.report, replayed=True) if existing and existing.report else None


def ticket_text(prefix: str, year: int, number: int) -> str:
    return f"{prefix}-{year}-{number:06d}"


def draw_ticket(city, year: int) -> str:
    """Return the city's next ticket for the year (inside the report's transaction).

    The UPDATE locks the counter row until the commit, so concurrent creations take numbers
    one after another: no repeats, and a rolled-back creation gives its number back (no gaps).
    """
    counter = TicketSequence.objects.filter(city=city, year=year)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():  # the first report of the year starts the counter
                TicketSequence.objects.create(city=city, year=year, last=1)
            return ticket_text(city.ticket_prefix, year, 1)
        except IntegrityError:  # another creation started it meanwhile
            counter.update(last=F("last") + 1)
    return ticket_text(city.ticket_prefix, year, counter.values_list("last", flat=True).get())


@dataclass
class Checked:
    """A new report that passed every check, ready to store (nothing written yet)."""

    report: Report
    photos: list
    origin: dict


def check_report(city, data: NewReport, *, now: datetime) -> Checked:
    """Validate, locate, route and time a new report; raise ValidationError. Writes nothing,
    so an adapter can check before it opens the transaction that stores the report."""
    city, category = place(city, data.category, data.lat, data.lng)
    errors: dict[str, str] = {}
    description = (data.description or "").strip()
    if category is None or category.city_id != city.pk or not category.is_active:
        errors["category"] = _("Kategori tidak dikenal.")
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _(
            "Keterangan terlalu panjang: %(n)d karakter, maksimal %(max)d.") % {
                "n": len(description), "max": MAX_DESCRIPTION}
    if not description and not data.photos:
        errors["description"] = _(
            "Tuliskan keterangan singkat atau lampirkan foto.")
    for name, value in (("description", description), ("address", data.address or ""),
                        ("contact_name", data.contact.name), ("contact_email", data.contact.email)):
        if texts.has_control(value or ""):  # one rule for every door: PostgreSQL refuses NUL
            errors[name] = _("Karakter kontrol tidak diizinkan di %(name)s.") % {"name": name}
    contact_phone = ""
    if data.contact.phone:
        try:
            contact_phone = phones.e164(data.contact.phone)
        except ValueError:
            errors["contact_phone"] = _("Nomor HP tidak valid (contoh: 0812 3456 7890).")
    if errors:
        raise ValidationError(errors)
    answers = validate_answers(category, data.answers)
    try:
        located = locate(city, float(data.lat), float(data.lng))
    except (OutsideCity, TypeError, ValueError):
        raise _location_error(city) from None
    cleaned = clean_photos(data.photos)
    agency = routing.route(category)
    response_due, due = due_times(category, agency, city, now)
    reporter = data.reporter if getattr(data.reporter, "is_authenticated", False) else None
    report = Report(
        city=city, category=category, description=description, answers=answers,
        lat=float(data.lat), lng=float(data.lng), address=(data.address or "").strip()[:300],
        kelurahan_id=located.kelurahan_id, kecamatan_id=located.kecamatan_id,
        status=Status.SUBMITTED, priority=1 if category.is_emergency else category.priority,
        reporter=reporter, is_anonymous=data.is_anonymous,
        contact_name=data.contact.name[:120], contact_phone=contact_phone,
        contact_email=data.contact.email, source=data.source,
        external_app=data.external_app[:120], agency=agency, response_due_at=response_due,
        due_at=due, created_at=now, updated_at=now,
        is_public=data.is_public)
    return Checked(report, cleaned, {**data.origin, "source": data.source})


def create_report(city, data: NewReport | Checked, *, now: datetime,
                  idempotency: tuple[str, str] | None = None) -> Created:
    """Validate and store a new report, routed and with its SLA clock started.

    One transaction writes the ticket, the report, its CREATED event, photos, the reporter as
    follower, the idempotency key, the event's outbox row and the data version: all or
    nothing. An adapter with rows of its own (Open311: the key's budget, its metadata) runs
    check_report() first, then calls this inside its own `transaction.atomic()`.
    """
    if idempotency and (earlier := _replay(idempotency)):
        return earlier
    checked = data if isinstance(data, Checked) else check_report(city, data, now=now)
    report = checked.report
    # The files are stored before the report's rows and deleted if those are not written.
    photos = [_photo_file(None, img, kind=Photo.Kind.REPORT, event=None,
                          uploaded_by=report.reporter, now=now) for img in checked.photos]
    try:
        with transaction.atomic():
            city = report.city  # where the point is (place()), not necessarily the door's
            report.ticket = draw_ticket(city, now.astimezone(city.tz).year)
            report.save(force_insert=True)
            event = ReportEvent.objects.create(
                report=report, kind=ReportEvent.Kind.CREATED, new=Status.SUBMITTED,
                actor=report.reporter, actor_role=Role.REPORTER, agency=report.agency,
                is_public=True, at=now, data=checked.origin)
            for photo in photos:
                photo.report, photo.event = report, event
            Photo.objects.bulk_create(photos)
            if report.reporter is not None:
                Follower.objects.create(report=report, user=report.reporter, created_at=now)
            if idempotency:
                IdempotencyKey.objects.create(scope=idempotency[0], key=idempotency[1],
                                              report=report, created_at=now)
            _record_change([event.pk], [p.pk for p in photos])
    except BaseException as exc:
        report.pk = report.ticket = None
        report._state.adding = True
        _discard_files(photos)
        if isinstance(exc, IntegrityError) and idempotency \
                and (earlier := _replay(idempotency)):  # a retry won the race
            return earlier
        raise
    # A higher layer may move the new report on (a trusted reporter's: verified).
    answers = signals.report_created.send(sender=Report, report_id=report.pk, now=now)
    if any(answer for _receiver, answer in answers):
        report.refresh_from_db()
    return Created(report)
