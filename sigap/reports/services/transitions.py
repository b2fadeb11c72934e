"""Moving a report through the state machine (reports.workflow), one service per action."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _, gettext_lazy

from sigap.accounts.models import Role as AccountRole, User
from sigap.agencies import routing
from sigap.agencies.models import Agency, Category, Team
from sigap.lib import images
from sigap.lib.geo import haversine_m
from sigap.reports import lifecycle, signals, workflow
from sigap.reports.models import Follower, Photo, Report, ReportEvent, Support
from sigap.reports.workflow import Action, Role, Status
from sigap.reports.services.common import (
    MAX_PROOF_PHOTOS, _lock, _record_change, _save_photos, clean_photos, role_of,
)
from sigap.reports.services.sla import due_times


REJECT_REASONS = {
    "spam": gettext_lazy("Spam atau laporan palsu"),
    "not_city_matter": gettext_lazy("Bukan kewenangan pemerintah kota"),
    "insufficient_info": gettext_lazy("Informasi tidak cukup"),
    "already_handled": gettext_lazy("Sudah ditangani"),
    "private_property": gettext_lazy("Berada di lahan pribadi"),
    "other": gettext_lazy("Alasan lain"),
}


def transition(report_id: int, action: str, *, actor, now: datetime, note: str = "",
               role: Role | None = None, apply=None, is_public: bool = True,
               data: dict | None = None, photos: list[images.CleanImage] = (),
               extra_events=None) -> Report:
    """Move a report through the lifecycle kernel and record it; raise TransitionError.

    `apply(report)` validates the caller's choice and returns the fields the action sets
    (built by `lifecycle.*_fields`)."""
    event_ids: list[int] = []
    photo_ids: list[int] = []
    with transaction.atomic():
        report = _lock(report_id)
        acting_role = role or role_of(actor, report)
        workflow.check(acting_role, report, action)  # refuse before validating the choice
        fields = apply(report) if apply is not None else None
        step = lifecycle.apply(report, action, acting_role, now, fields)
        report.save()
        event = ReportEvent.objects.create(
            report=report, actor=actor if getattr(actor, "pk", None) else None, note=note,
            is_public=is_public, data=data or {}, **step)
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


def verify(report_id: int, *, actor, now: datetime, note: str = "", role=None,
           data: dict | None = None) -> Report:
    report = transition(report_id, Action.VERIFY, actor=actor, now=now, note=note, role=role,
                        data=data)
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
        return lifecycle.reject_fields(text, note)

    return transition(report_id, Action.REJECT, actor=actor, now=now, note=note or text,
                      apply=apply, data={"reason": reason})


def assign(report_id: int, *, actor, now: datetime, officer=None, team=None,
           role=None) -> Report:
    """Assign to a team and/or an officer of the report's agency."""
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
        report.team, report.officer = chosen_team, officer  # the rows, cached
        return lifecycle.assign_fields(getattr(chosen_team, "pk", None),
                                       getattr(officer, "pk", None))

    data = {"officer": getattr(officer, "pk", None), "team": getattr(team, "pk", None)}
    return transition(report_id, Action.ASSIGN, actor=actor, now=now, apply=apply, role=role,
                      data=data)


def start(report_id: int, *, actor, now: datetime, note: str = "") -> Report:
    return transition(report_id, Action.START, actor=actor, now=now, note=note)


def resolve(report_id: int, *, actor, now: datetime, note: str,
            photos: list[bytes], places: list | None = None) -> Report:
    """Resolve with proof: a note and at least one photo are required.

    Each proof photo's distance from the report's place is stored: from its own EXIF GPS,
    else from `places` (the (lat, lng) the phone read from the photo's EXIF before it
    resized it, which drops the EXIF; None where it had none)."""
    errors = {}
    if not (note or "").strip():
        errors["note"] = _("Tuliskan catatan penyelesaian.")
    if not photos:
        errors["photo"] = _("Lampirkan minimal satu foto bukti.")
    if errors:
        raise ValidationError(errors)
    cleaned = clean_photos(photos, field_name="photo", limit=MAX_PROOF_PHOTOS)
    # Each photo's own GPS, from the upload as sent (the cleaned copies carry no metadata).
    sent = list(places or [])
    places = [images.gps_of(raw) or (sent[i] if i < len(sent) else None)
              for i, raw in enumerate(photos)]

    def apply(report):
        return lifecycle.resolve_fields(note)

    def measure(report, event):
        """Store how far from the report's place each proof photo says it was taken."""
        saved = list(Photo.objects.filter(event=event).order_by("pk").only("pk"))
        for photo, place in zip(saved, places, strict=True):
            if place is not None:
                Photo.objects.filter(pk=photo.pk).update(gps_distance_m=round(
                    haversine_m(report.lat, report.lng, *place), 1))
        return []

    return transition(report_id, Action.RESOLVE, actor=actor, now=now, note=note.strip(),
                      apply=apply, photos=cleaned, extra_events=measure)


def handback(report_id: int, *, actor, now: datetime, reason: str) -> Report:
    """The officer cannot resolve: hand the report back to the dispatcher with a reason."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Tuliskan alasannya.")})

    def apply(report):
        return lifecycle.handback_fields()

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
        return lifecycle.reopen_fields(due)

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
        return lifecycle.duplicate_fields(
            kept.pk, _("Digabung dengan laporan %(t)s") % {"t": kept.ticket})

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
        response_due, _due = due_times(report.category, agency, report.city, now)
        report.agency = agency  # the row, cached
        return lifecycle.reassign_fields(agency.pk, response_due)

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
        response_due, due = due_times(category, agency, report.city, now)
        report.category, report.agency = category, agency  # the rows, cached
        return lifecycle.recategorise_fields(
            category.pk, agency.pk, 1 if category.is_emergency else category.priority,
            response_due, due)

    return transition(report_id, Action.RECATEGORISE, actor=actor, now=now,
                      note=(note or "").strip(), apply=apply, data=changed)


def auto_assign(report_id: int, *, now: datetime) -> Report | None:
    """Assign to the kecamatan's team and its least-loaded officer on duty at `now` (by the
    rota, see reports.signals), if any."""
    report = Report.objects.select_related("agency").get(pk=report_id)
    teams = list(Team.objects.filter(agency_id=report.agency_id).prefetch_related("kecamatan"))
    options = [routing.TeamOption(t.pk, frozenset(a.pk for a in t.kecamatan.all())) for t in teams]
    team_id = routing.pick_team(options, report.kecamatan_id)
    if team_id is None:
        return None
    officers = list(
        User.objects.filter(teams__id=team_id, role=AccountRole.OFFICER, is_active=True)
        .annotate(open_tasks=Count("tasks", filter=Q(tasks__status__in=workflow.IN_FIELD)))
        .values_list("pk", "open_tasks", "on_duty")
    )
    # Who is on duty now: the rota's answer (sigap.duty, through a signal), else the flag.
    on_duty = signals.on_duty_answer(sender=Report, agency_id=report.agency_id,
                                     team_id=team_id, user_ids=[row[0] for row in officers],
                                     now=now)
    officer_id = routing.pick_officer(
        routing.OfficerLoad(pk, load, flag if on_duty is None else pk in on_duty)
        for pk, load, flag in officers)
    team = next(t for t in teams if t.pk == team_id)
    officer = User.objects.get(pk=officer_id) if officer_id else None
    return assign(report_id, actor=None, now=now, officer=officer, team=team, role=Role.SYSTEM)
