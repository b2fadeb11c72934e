"""The only code that changes a report. Views, the API, Open311 and jobs all call these.

Each service validates, locks, writes, records a ReportEvent, and only after commit hands
side effects (notifications, thumbnails) to the queue. Time is always passed in as `now`.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils.translation import gettext as _, gettext_lazy

from sigap.agencies import routing
from sigap.agencies.models import Agency, Category, Team
from sigap.cities.locate import OutsideCity, locate
from sigap.lib import images, prepared, workingtime
from sigap.lib.prepared import PreparedInsert
from sigap.reports import freshness, intake, outbox, workflow
from sigap.reports.models import (
    Follower, IdempotencyKey, Outbox, Photo, Report, ReportEvent, Support,
)
from sigap.reports.workflow import Action, Role, Status

log = logging.getLogger(__name__)

MAX_DESCRIPTION = 4000
MAX_PHOTOS = 3
MAX_PROOF_PHOTOS = 5

REJECT_REASONS = {
    "spam": gettext_lazy("Spam atau laporan palsu"),
    "not_city_matter": gettext_lazy("Bukan kewenangan pemerintah kota"),
    "insufficient_info": gettext_lazy("Informasi tidak cukup"),
    "already_handled": gettext_lazy("Sudah ditangani"),
    "private_property": gettext_lazy("Berada di lahan pribadi"),
    "other": gettext_lazy("Alasan lain"),
}

BAD_IMAGE_MESSAGES = {
    "too_large": gettext_lazy(
        "Foto terlalu besar (maksimal 10 MB)."),
    "too_many_pixels": gettext_lazy(
        "Resolusi foto terlalu besar (maksimal 40 megapiksel)."),
    "not_image": gettext_lazy("Berkas ini bukan foto (JPEG, PNG atau WebP)."),
    "corrupt": gettext_lazy("Foto rusak dan tidak bisa dibaca."),
    "empty": gettext_lazy("Berkas foto kosong."),
}


# --- Inputs -------------------------------------------------------------------------------

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


# --- Helpers ------------------------------------------------------------------------------

def clean_photos(raw_photos: list[bytes], *, field_name: str = "photos",
                 limit: int = MAX_PHOTOS) -> list[images.CleanImage]:
    """Return the photos re-encoded without metadata, or raise ValidationError."""
    if len(raw_photos) > limit:
        raise ValidationError(
            {field_name: _("Paling banyak %(n)d foto.") % {"n": limit}})
    cleaned = []
    for index, raw in enumerate(raw_photos, start=1):
        try:
            cleaned.append(images.clean_photo(
                raw, max_bytes=settings.SIGAP_MAX_PHOTO_BYTES,
                max_pixels=settings.SIGAP_MAX_PHOTO_PIXELS))
        except images.BadImage as exc:
            message = str(BAD_IMAGE_MESSAGES[exc.code])
            raise ValidationError({field_name: _("Foto %(i)d: %(msg)s") % {
                "i": index, "msg": message}}) from None
    return cleaned


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

            parsed = parse_datetime(str(value)) if not isinstance(value, datetime) else value
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
            clean[attr.code] = text
    if errors:
        raise ValidationError(errors)
    return clean


@functools.lru_cache(maxsize=8)
def _holidays(year: int) -> frozenset:
    return workingtime.indonesian_holidays(range(year - 1, year + 3))


def calendar_for(agency: Agency, city, now: datetime) -> workingtime.Calendar:
    """Return the service calendar of an agency (round the clock unless office hours)."""
    if not agency.working_hours_only:
        return workingtime.Calendar(tz=city.tz, always_open=True)
    return workingtime.Calendar(
        tz=city.tz, always_open=False, start=agency.work_start, end=agency.work_end,
        holidays=_holidays(now.year))


def due_times(category: Category, agency: Agency, city, start: datetime):
    """Return (response_due_at, due_at) for a report that starts its clock at `start`."""
    cal = calendar_for(agency, city, start)
    return (
        workingtime.add_service_hours(start, category.response_sla_hours, cal),
        workingtime.add_service_hours(start, category.resolve_sla_hours, cal),
    )


def role_of(actor, report: Report) -> Role:
    """Return the part `actor` plays for `report` in the state machine."""
    from sigap.accounts.models import Role as AccountRole

    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Role.NONE
    if actor.is_city_admin:
        return Role.ADMIN
    if actor.is_agency_staff and actor.agency_id == report.agency_id:
        if actor.role == AccountRole.HEAD:
            return Role.HEAD
        if actor.role == AccountRole.DISPATCHER:
            return Role.DISPATCHER
        if actor.can_handle(report):
            return Role.OFFICER
    if report.reporter_id is not None and report.reporter_id == actor.pk:
        return Role.REPORTER
    return Role.NONE


def _photo_file(report: Report, img: images.CleanImage, *, kind: str, event, uploaded_by,
                now: datetime) -> Photo:
    """Store the image file and return its Photo, not saved yet."""
    photo = Photo(report=report, event=event, kind=kind, width=img.width, height=img.height,
                  uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
                  created_at=now)
    photo.image.save("photo.jpg", ContentFile(img.data), save=False)
    return photo


def _save_photos(report: Report, cleaned: list[images.CleanImage], *, kind: str, event,
                 uploaded_by, now: datetime) -> list[Photo]:
    photos = []
    for img in cleaned:
        photo = _photo_file(report, img, kind=kind, event=event, uploaded_by=uploaded_by,
                            now=now)
        photo.save()
        photos.append(photo)
    return photos


def _record_change(event_ids: list[int], photo_ids: list[int] = ()) -> None:
    """Inside the transaction: bump the data version and put the events in the outbox;
    after the commit, queue the thumbnails and a drain of the outbox.

    The version keeps cached public reads exact; the outbox row commits with its event, so
    its notifications cannot be lost after the commit (reports.outbox).
    """
    freshness.bump()
    Outbox.objects.bulk_create([Outbox(event_id=pk) for pk in event_ids])
    _after_commit(photo_ids)


def _after_commit(photo_ids: list[int] = ()) -> None:
    """Once committed: thumbnails for new photos, and a drain of the outbox. A queue that is
    down loses neither (tasks.make_missing_thumbnails, the periodic drain): the report is
    stored, so the request must not fail now."""
    from sigap.reports import tasks

    def run():
        for photo_id in photo_ids:
            try:
                tasks.make_thumbnail(photo_id)
            except Exception:  # noqa: BLE001 - the photo is stored: the periodic sweep makes it
                log.warning("could not queue a thumbnail; the periodic sweep will make it",
                            exc_info=True)
                break  # the queue is down: the others would fail alike
        outbox.kick()

    transaction.on_commit(run)


def _location_error(city) -> ValidationError:
    return ValidationError({"location": _(
        "Lokasi berada di luar wilayah %(city)s. Geser penanda ke dalam kota.")
        % {"city": city.name}})


# --- Creating a report ----------------------------------------------------------------------

def _replay(idempotency: tuple[str, str]) -> Created | None:
    """The report an earlier request with this idempotency key created, if any."""
    existing = IdempotencyKey.objects.filter(scope=idempotency[0], key=idempotency[1]) \
        .select_related("report").first()
    return Created(existing.report, replayed=True) if existing and existing.report else None


def create_report(city, data: NewReport, *, now: datetime,
                  idempotency: tuple[str, str] | None = None,
                  gate: intake.Gate | None = None,
                  extras: Callable[[Report], list[PreparedInsert]] | None = None) -> Created:
    """Validate and store a new report, routed and with its SLA clock started.

    An adapter may add a `gate` (a contended row that must let the report through, e.g. an
    API key's budget; see reports.intake) and `extras(report)`, rows of its own that hang
    off the new report (PreparedInserts with `later=("report",)`), written with it or not at
    all.
    """
    if idempotency and (earlier := _replay(idempotency)):
        return earlier

    category = data.category
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

    # Everything is built, and every INSERT compiled, before the write; the write itself
    # (reports.intake) is a handful of statements in one transaction on SQLite and a single
    # statement on PostgreSQL. The ticket is drawn there.
    report = prepared.new(
        Report, city=city, category=category,
        description=description, answers=answers, lat=float(data.lat), lng=float(data.lng),
        address=(data.address or "").strip()[:300],
        kelurahan_id=located.kelurahan_id, kecamatan_id=located.kecamatan_id,
        status=Status.SUBMITTED,
        priority=1 if category.is_emergency else category.priority,
        reporter=reporter, is_anonymous=data.is_anonymous,
        contact_name=data.contact.name[:120], contact_phone=data.contact.phone[:30],
        contact_email=data.contact.email, source=data.source,
        external_app=data.external_app[:120], agency=agency,
        response_due_at=response_due, due_at=due, created_at=now, updated_at=now,
        is_public=data.is_public,
    )
    report.place_cells()
    event = prepared.new(
        ReportEvent, report=report, kind=ReportEvent.Kind.CREATED, new=Status.SUBMITTED,
        actor=reporter, actor_role=Role.REPORTER, agency=agency, is_public=True, at=now,
        data={**data.origin, "source": data.source})
    photos = [_photo_file(report, img, kind=Photo.Kind.REPORT, event=event,
                          uploaded_by=reporter, now=now) for img in cleaned]
    rows = [PreparedInsert(photo, later=("report", "event")) for photo in photos]
    if reporter is not None:
        rows.append(PreparedInsert(Follower(report=report, user=reporter, created_at=now),
                                   later=("report",)))
    if idempotency:
        rows.append(PreparedInsert(IdempotencyKey(
            scope=idempotency[0], key=idempotency[1], report=report, created_at=now),
            later=("report",)))
    rows.append(PreparedInsert(prepared.new(Outbox, event=event), later=("event",)))
    if extras is not None:
        rows += extras(report)

    try:
        intake.write(city=city, year=now.astimezone(city.tz).year,
                     report=PreparedInsert(report, later=("ticket",)),
                     event=PreparedInsert(event, later=("report",)), extras=rows, gate=gate)
    except IntegrityError:
        if idempotency and (earlier := _replay(idempotency)):  # a retry won the race
            return earlier
        raise
    _after_commit([p.pk for p in photos])
    return Created(report)


# --- Transitions --------------------------------------------------------------------------

def _lock(report_id: int) -> Report:
    return Report.objects.select_for_update().select_related(
        "category", "agency", "city").get(pk=report_id)


_KIND_FOR_ACTION = {
    Action.ASSIGN: ReportEvent.Kind.ASSIGNED,
    Action.REASSIGN: ReportEvent.Kind.REASSIGNED,
    Action.MARK_DUPLICATE: ReportEvent.Kind.DUPLICATE,
    Action.RECATEGORISE: ReportEvent.Kind.RECATEGORISED,
}


def transition(report_id: int, action: str, *, actor, now: datetime, note: str = "",
               role: Role | None = None, apply=None, is_public: bool = True,
               data: dict | None = None, photos: list[images.CleanImage] = (),
               extra_events=None) -> Report:
    """Move a report through the state machine and record it; raise TransitionError."""
    event_ids: list[int] = []
    photo_ids: list[int] = []
    with transaction.atomic():
        report = _lock(report_id)
        acting_role = role or role_of(actor, report)
        new = workflow.next_status(report.status, action, acting_role)
        old = report.status
        if apply is not None:
            apply(report)
        report.status = new
        report.updated_at = now
        _stamp_milestones(report, new, now)
        report.save()
        event = ReportEvent.objects.create(
            report=report, kind=_KIND_FOR_ACTION.get(action, ReportEvent.Kind.STATUS),
            action=action, old=old, new=new,
            actor=actor if getattr(actor, "pk", None) else None, actor_role=acting_role,
            agency=report.agency, note=note, is_public=is_public, data=data or {}, at=now)
        event_ids.append(event.pk)
        if photos:
            kind = Photo.Kind.PROOF if action == Action.RESOLVE else Photo.Kind.PROGRESS
            saved = _save_photos(report, list(photos), kind=kind, event=event,
                                 uploaded_by=actor, now=now)
            photo_ids += [p.pk for p in saved]
        if extra_events is not None:
            event_ids += extra_events(report, event)
        _record_change(event_ids, photo_ids)
    return report


def _stamp_milestones(report: Report, new: str, now: datetime) -> None:
    if new != Status.SUBMITTED and report.first_response_at is None:
        report.first_response_at = now
    stamps = {
        Status.VERIFIED: "verified_at", Status.ASSIGNED: "assigned_at",
        Status.IN_PROGRESS: "started_at", Status.RESOLVED: "resolved_at",
        Status.CLOSED: "closed_at", Status.REJECTED: "closed_at", Status.DUPLICATE: "closed_at",
    }
    name = stamps.get(new)
    if name:
        setattr(report, name, now)
    if new in (Status.ASSIGNED,) and report.verified_at is None:
        report.verified_at = now


def verify(report_id: int, *, actor, now: datetime, note: str = "", role=None) -> Report:
    report = transition(report_id, Action.VERIFY, actor=actor, now=now, note=note, role=role)
    if report.agency.auto_assign:
        auto_assign(report.pk, now=now)
        report.refresh_from_db()
    return report


def reject(report_id: int, *, actor, now: datetime, reason: str, note: str = "") -> Report:
    label = REJECT_REASONS.get(reason)
    text = str(label) if label else (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Pilih alasan penolakan.")})

    def apply(report):
        report.reject_reason = text[:300]
        report.status_note = (note or text)[:500]

    return transition(report_id, Action.REJECT, actor=actor, now=now, note=note or text,
                      apply=apply, data={"reason": reason})


def assign(report_id: int, *, actor, now: datetime, officer=None, team=None,
           role=None) -> Report:
    """Assign to a team and/or an officer of the report's agency."""
    from sigap.accounts.models import Role as AccountRole

    if officer is None and team is None:
        raise ValidationError({"officer": _("Pilih tim atau petugas.")})

    def apply(report):
        chosen_team = team
        if officer is not None:
            if officer.agency_id != report.agency_id or officer.role != AccountRole.OFFICER \
                    or not officer.is_active:
                raise ValidationError({"officer": _(
                    "Petugas ini bukan anggota dinas yang menangani.")})
            if chosen_team is None:
                chosen_team = officer.teams.filter(agency_id=report.agency_id).first()
        if chosen_team is not None and chosen_team.agency_id != report.agency_id:
            raise ValidationError({"team": _(
                "Tim ini bukan milik dinas yang menangani.")})
        report.team = chosen_team
        report.officer = officer

    data = {"officer": getattr(officer, "pk", None), "team": getattr(team, "pk", None)}
    return transition(report_id, Action.ASSIGN, actor=actor, now=now, apply=apply, role=role,
                      data=data)


def start(report_id: int, *, actor, now: datetime, note: str = "") -> Report:
    return transition(report_id, Action.START, actor=actor, now=now, note=note)


def resolve(report_id: int, *, actor, now: datetime, note: str,
            photos: list[bytes]) -> Report:
    """Resolve with proof: a note and at least one photo are required."""
    errors = {}
    if not (note or "").strip():
        errors["note"] = _("Tuliskan catatan penyelesaian.")
    if not photos:
        errors["photo"] = _("Lampirkan minimal satu foto bukti.")
    if errors:
        raise ValidationError(errors)
    cleaned = clean_photos(photos, field_name="photo", limit=MAX_PROOF_PHOTOS)

    def apply(report):
        report.status_note = note.strip()[:500]
        report.sla_paused_at = None

    return transition(report_id, Action.RESOLVE, actor=actor, now=now, note=note.strip(),
                      apply=apply, photos=cleaned)


def handback(report_id: int, *, actor, now: datetime, reason: str) -> Report:
    """The officer cannot resolve: hand the report back to the dispatcher with a reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Tuliskan alasannya.")})

    def apply(report):
        report.officer = None

    return transition(report_id, Action.HANDBACK, actor=actor, now=now, note=reason.strip(),
                      apply=apply, is_public=False)


def close(report_id: int, *, actor, now: datetime, note: str = "", role=None) -> Report:
    return transition(report_id, Action.CLOSE, actor=actor, now=now, note=note, role=role)


def reopen(report_id: int, *, actor, now: datetime, reason: str, role=None) -> Report:
    if not (reason or "").strip():
        raise ValidationError({"reason": _(
            "Ceritakan apa yang belum beres.")})

    def apply(report):
        _response_due, due = due_times(report.category, report.agency, report.city, now)
        report.due_at = due
        report.escalation_level = 0
        report.closed_at = None

    return transition(report_id, Action.REOPEN, actor=actor, now=now, note=reason.strip(),
                      apply=apply, role=role)


def mark_duplicate(report_id: int, *, actor, now: datetime, of: Report,
                   note: str = "") -> Report:
    """Close a report as a duplicate of `of`, moving its supporters and followers there."""
    kept = of
    while kept.duplicate_of_id is not None and kept.status == Status.DUPLICATE:
        kept = kept.duplicate_of
    if kept.pk == report_id:
        raise ValidationError({"of": _("Laporan tidak bisa menjadi duplikat dirinya sendiri.")})
    if kept.city_id != Report.objects.values_list("city_id", flat=True).get(pk=report_id) \
            or kept.status in (Status.REJECTED, Status.DUPLICATE):
        raise ValidationError({"of": _("Laporan tujuan tidak bisa dipakai.")})

    def apply(report):
        report.duplicate_of = kept
        report.status_note = (_("Digabung dengan laporan %(t)s") % {"t": kept.ticket})[:500]

    def merge(report, event):
        existing_keys = set(Support.objects.filter(report=kept)
                            .values_list("supporter_key", flat=True))
        moved = Support.objects.filter(report=report).exclude(supporter_key__in=existing_keys)
        moved.update(report=kept)
        follower_ids = set(Follower.objects.filter(report=kept).values_list("user_id", flat=True))
        Follower.objects.filter(report=report).exclude(user_id__in=follower_ids) \
            .update(report=kept)
        if report.reporter_id and report.reporter_id not in follower_ids:
            Follower.objects.get_or_create(report=kept, user_id=report.reporter_id,
                                           defaults={"created_at": now})
        count = Support.objects.filter(report=kept).count()
        Report.objects.filter(pk=kept.pk).update(support_count=count, updated_at=now)
        merged = ReportEvent.objects.create(
            report=kept, kind=ReportEvent.Kind.MERGED, actor=actor if actor else None,
            agency=kept.agency, new=report.ticket, is_public=True, at=now,
            data={"duplicate": report.ticket})
        return [merged.pk]

    return transition(report_id, Action.MARK_DUPLICATE, actor=actor, now=now, note=note,
                      apply=apply, extra_events=merge, data={"of": kept.ticket})


def reassign(report_id: int, *, actor, now: datetime, agency: Agency, reason: str) -> Report:
    """Send the report to another agency, back to the top of its queue."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Tuliskan alasan pengalihan.")})

    def apply(report):
        if agency.city_id != report.city_id or agency.pk == report.agency_id:
            raise ValidationError(
                {"agency": _("Pilih dinas lain di kota ini.")})
        report.agency = agency
        report.team = None
        report.officer = None
        report.escalation_level = 0
        report.response_due_at, _due = due_times(report.category, agency, report.city, now)

    return transition(report_id, Action.REASSIGN, actor=actor, now=now, note=reason.strip(),
                      apply=apply, data={"to": agency.code})


def recategorise(report_id: int, *, actor, now: datetime, category: Category,
                 note: str = "") -> Report:
    """Give the report another category: routed to that category's agency, its deadlines
    counted again from `now` with the new category's SLA, back in the queue (the citizen
    sees the change in the timeline)."""
    changed = {}

    def apply(report):
        if category.city_id != report.city_id or category.pk == report.category_id:
            raise ValidationError({"category": _("Pilih kategori lain di kota ini.")})
        try:
            agency = routing.route(category)
        except routing.NoRoute:
            raise ValidationError({"category": _("Kategori ini belum punya dinas.")}) from None
        changed.update({"from": report.category.code, "to": category.code,
                        "from_agency": report.agency.code, "agency": agency.code})
        report.category = category
        report.agency = agency
        report.team = None
        report.officer = None
        report.escalation_level = 0
        report.priority = 1 if category.is_emergency else category.priority
        report.response_due_at, report.due_at = due_times(category, agency, report.city, now)

    return transition(report_id, Action.RECATEGORISE, actor=actor, now=now,
                      note=(note or "").strip(), apply=apply, data=changed)


def auto_assign(report_id: int, *, now: datetime) -> Report | None:
    """Assign to the kecamatan's team and its least-loaded officer on duty, if any."""
    from sigap.accounts.models import Role as AccountRole, User

    report = Report.objects.select_related("agency").get(pk=report_id)
    teams = list(Team.objects.filter(agency_id=report.agency_id).prefetch_related("kecamatan"))
    options = [routing.TeamOption(t.pk, frozenset(a.pk for a in t.kecamatan.all())) for t in teams]
    team_id = routing.pick_team(options, report.kecamatan_id)
    if team_id is None:
        return None
    officers = (
        User.objects.filter(teams__id=team_id, role=AccountRole.OFFICER, is_active=True)
        .annotate(open_tasks=Count("tasks", filter=Q(tasks__status__in=workflow.IN_FIELD)))
        .values_list("pk", "open_tasks", "on_duty")
    )
    officer_id = routing.pick_officer(routing.OfficerLoad(*row) for row in officers)
    team = next(t for t in teams if t.pk == team_id)
    officer = User.objects.get(pk=officer_id) if officer_id else None
    return assign(report_id, actor=None, now=now, officer=officer, team=team, role=Role.SYSTEM)


# --- Things that are not transitions --------------------------------------------------------

def add_note(report_id: int, *, actor, now: datetime, text: str, public: bool) -> ReportEvent:
    """Add a staff note: public (shown on the tracking page) or internal (staff only)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"note": _("Catatan kosong.")})
    with transaction.atomic():
        report = _lock(report_id)
        role = role_of(actor, report)
        if role not in workflow.FIELD:
            raise workflow.NotAllowed(report.status, "note", role,
                                      _("Anda tidak berwenang menambah catatan."))
        kind = ReportEvent.Kind.PUBLIC_NOTE if public else ReportEvent.Kind.INTERNAL_NOTE
        event = ReportEvent.objects.create(
            report=report, kind=kind, actor=actor, actor_role=role, agency=report.agency,
            note=text[:MAX_DESCRIPTION], is_public=public, at=now)
        report.updated_at = now
        fields = ["updated_at"]
        if public:
            report.status_note = text[:500]
            fields.append("status_note")
            if report.first_response_at is None:
                report.first_response_at = now
                fields.append("first_response_at")
        report.save(update_fields=fields)
        _record_change([event.pk])
    return event


def add_comment(report_id: int, *, actor, now: datetime, text: str) -> ReportEvent:
    """Add a citizen's public comment to a public report."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Komentar kosong.")})
    if len(text) > 1000:
        raise ValidationError(
            {"text": _("Komentar maksimal 1000 karakter.")})
    with transaction.atomic():
        report = _lock(report_id)
        if not report.is_public:
            raise ValidationError({"text": _("Laporan ini tidak menerima komentar.")})
        role = role_of(actor, report)
        event = ReportEvent.objects.create(
            report=report, kind=ReportEvent.Kind.COMMENT, actor=actor,
            actor_role=role, note=text, is_public=True, at=now)
        Report.objects.filter(pk=report.pk).update(comment_count=F("comment_count") + 1)
        _record_change([event.pk])
        if role == Role.REPORTER and report.sla_paused_at is not None:
            # The agency was waiting on the citizen, who has now answered.
            resume_sla(report.pk, actor=None, now=now, role=Role.SYSTEM,
                       note=_("Pelapor menjawab; tenggat berjalan lagi."))
    return event


def rate(report_id: int, *, actor, now: datetime, stars: int, comment: str = "",
         role=None) -> ReportEvent:
    """Record the reporter's 1–5 rating of a resolved or closed report."""
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError({"rating": _("Nilai 1 sampai 5.")})
    with transaction.atomic():
        report = _lock(report_id)
        acting = role or role_of(actor, report)
        if acting != Role.REPORTER:
            raise workflow.NotAllowed(report.status, "rate", acting,
                                      _("Hanya pelapor yang bisa memberi nilai."))
        if report.status not in (Status.RESOLVED, Status.CLOSED):
            raise workflow.IllegalTransition(report.status, "rate", acting,
                                             _("Laporan belum selesai."))
        event = ReportEvent.objects.create(
            report=report, kind=ReportEvent.Kind.RATING, actor=actor if getattr(actor, "pk", None)
            else None, actor_role=acting, new=str(stars), note=(comment or "").strip()[:1000],
            is_public=True, at=now)
        Report.objects.filter(pk=report.pk).update(rating=stars, updated_at=now)
        freshness.bump()
    return event


def support(report_id: int, *, supporter_key: str, user, now: datetime) -> bool:
    """Add one "saya juga" per person; return False when this person already supported."""
    user = user if getattr(user, "is_authenticated", False) else None
    key = f"u{user.pk}" if user else supporter_key
    if not key:
        raise ValidationError({"support": _("Tidak bisa mengenali pendukung.")})
    try:
        with transaction.atomic():
            Support.objects.create(report_id=report_id, supporter_key=key, user=user,
                                   created_at=now)
            Report.objects.filter(pk=report_id).update(support_count=F("support_count") + 1)
            freshness.bump()
            if user is not None:
                Follower.objects.get_or_create(report_id=report_id, user=user,
                                               defaults={"created_at": now})
    except IntegrityError:
        return False
    return True


def follow(report_id: int, *, user, now: datetime) -> None:
    Follower.objects.get_or_create(report_id=report_id, user=user, defaults={"created_at": now})


def unfollow(report_id: int, *, user) -> None:
    Follower.objects.filter(report_id=report_id, user=user).delete()


def reporter_confirms(report_id: int, *, fixed: bool, now: datetime, actor=None,
                      reason: str = "", stars: int | None = None, comment: str = "") -> Report:
    """Answer "Sudah beres?": yes closes (and rates), no reopens with a reason."""
    if fixed:
        report = close(report_id, actor=actor, now=now, role=Role.REPORTER,
                       note=_("Pelapor menyatakan sudah beres."))
        if stars:
            rate(report_id, actor=actor, now=now, stars=stars, comment=comment,
                 role=Role.REPORTER)
        return report
    return reopen(report_id, actor=actor, now=now, reason=reason, role=Role.REPORTER)


# --- SLA pause and escalation (back office) -------------------------------------------------

def pause_sla(report_id: int, *, actor, now: datetime, note: str) -> ReportEvent:
    """Stop the SLA clock while the agency waits on the citizen ("need more information")."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _(
            "Tuliskan informasi apa yang dibutuhkan dari warga.")})
    with transaction.atomic():
        report = _lock(report_id)
        role = role_of(actor, report)
        if role not in workflow.DESK and role != Role.OFFICER:
            raise workflow.NotAllowed(report.status, "pause", role,
                                      _("Anda tidak berwenang menjeda SLA."))
        if not report.is_open or report.sla_paused_at is not None:
            raise workflow.IllegalTransition(report.status, "pause", role, _(
                "SLA laporan ini tidak bisa dijeda (sudah dijeda atau laporan tidak terbuka)."))
        report.sla_paused_at = now
        report.status_note = note[:500]
        report.updated_at = now
        report.save(update_fields=["sla_paused_at", "status_note", "updated_at"])
        event = ReportEvent.objects.create(
            report=report, kind=ReportEvent.Kind.SLA_PAUSED, actor=actor, actor_role=role,
            agency=report.agency, note=note[:MAX_DESCRIPTION], is_public=True, at=now)
        _record_change([event.pk])
    return event


def resume_sla(report_id: int, *, actor, now: datetime, note: str = "",
               role: Role | None = None) -> ReportEvent:
    """Restart a paused SLA clock; the deadlines move later by the paused service time."""
    with transaction.atomic():
        report = _lock(report_id)
        acting = role or role_of(actor, report)
        if acting not in workflow.DESK and acting not in (Role.OFFICER, Role.SYSTEM):
            raise workflow.NotAllowed(report.status, "resume", acting,
                                      _("Anda tidak berwenang melanjutkan SLA."))
        if report.sla_paused_at is None:
            raise workflow.IllegalTransition(report.status, "resume", acting,
                                             _("SLA laporan ini tidak sedang dijeda."))
        cal = calendar_for(report.agency, report.city, report.sla_paused_at)
        paused_hours = workingtime.service_hours_between(report.sla_paused_at, now, cal)
        if report.due_at is not None:
            report.due_at = workingtime.add_service_hours(report.due_at, paused_hours, cal)
        if report.response_due_at is not None and report.first_response_at is None:
            report.response_due_at = workingtime.add_service_hours(
                report.response_due_at, paused_hours, cal)
        paused_since = report.sla_paused_at
        report.sla_paused_at = None
        report.updated_at = now
        report.save(update_fields=["sla_paused_at", "due_at", "response_due_at", "updated_at"])
        event = ReportEvent.objects.create(
            report=report, kind=ReportEvent.Kind.SLA_RESUMED,
            actor=actor if getattr(actor, "pk", None) else None, actor_role=acting,
            agency=report.agency, note=(note or "").strip()[:MAX_DESCRIPTION], is_public=True,
            at=now, data={"paused_since": paused_since.isoformat(),
                          "paused_hours": round(paused_hours, 4)})
        _record_change([event.pk])
    return event


def record_escalation(report_id: int, *, from_level: int, steps: list[tuple[int, str]],
                      now: datetime) -> list[ReportEvent]:
    """Claim and record SLA escalation steps; return [] when another worker claimed first.

    `steps` are (level, kind) pairs above `from_level`, kind being REMINDER or ESCALATION.
    The claim is a conditional UPDATE on escalation_level, so two pollers never both act.
    """
    if not steps:
        return []
    to_level = steps[-1][0]
    with transaction.atomic():
        claimed = Report.objects.filter(
            pk=report_id, escalation_level=from_level, status__in=workflow.OPEN,
            sla_paused_at__isnull=True,
        ).update(escalation_level=to_level)
        if not claimed:
            return []
        report = Report.objects.select_related("agency").get(pk=report_id)
        events = [
            ReportEvent.objects.create(
                report=report, kind=kind, old=str(level - 1), new=str(level),
                actor_role=Role.SYSTEM, agency=report.agency, is_public=False, at=now,
                data={"level": level, "due_at": report.due_at.isoformat()
                      if report.due_at else None})
            for level, kind in steps
        ]
        _record_change([e.pk for e in events])
    return events


def claim_earlier_reports(user, destination, now: datetime) -> int:
    """Join to `user` the reports sent without an account with the phone number or e-mail
    a one-time code has just proved to be theirs; return how many. Anonymous reports stay
    anonymous (their contact was never kept)."""
    from sigap.accounts.services import parse_destination

    if getattr(user, "role", "citizen") != "citizen":
        return 0
    unclaimed = Report.objects.filter(reporter__isnull=True, is_anonymous=False)
    if destination.kind == "email":
        candidates = unclaimed.filter(contact_email__iexact=destination.value)
    else:
        # contact_phone is kept as typed ("0812 3456 7890"): narrow by its last four digits
        # in the database, then compare the normalised numbers.
        candidates = unclaimed.filter(contact_phone__endswith=destination.value[-4:])

        def same(raw):
            try:
                return parse_destination(raw).value == destination.value
            except ValidationError:
                return False

        ids = [pk for pk, raw in candidates.values_list("pk", "contact_phone") if same(raw)]
        candidates = Report.objects.filter(pk__in=ids)
    with transaction.atomic():
        ids = list(candidates.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        Report.objects.filter(pk__in=ids, reporter__isnull=True).update(reporter=user,
                                                                         updated_at=now)
        ReportEvent.objects.bulk_create([ReportEvent(
            report_id=pk, kind=ReportEvent.Kind.INTERNAL_NOTE, actor=user,
            actor_role=Role.REPORTER, note=_("Laporan dihubungkan ke akun pelapor."),
            is_public=False, at=now, data={"claimed_by": destination.kind}) for pk in ids])
    return len(ids)

