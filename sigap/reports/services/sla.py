"""The SLA of a report, in one module: deadlines in the agency's service time, pausing while
the agency waits on the citizen, and the escalation ladder (a pure calculator plus an
idempotent poller that records each step).

The ladder runs on both deadlines of a report, each measured in the agency's service time
(round the clock, or office hours without weekends, Indonesian holidays and the city's
regional holidays, `City.regional_holidays`, in the city's time zone):

- the first-response deadline (`Report.response_due_at`, the category's response hours), while
  the desk has not yet responded (`first_response_at` is empty): a fire report nobody has
  picked up escalates after minutes, not after its resolution deadline;
- the resolution deadline (`Report.due_at`, the category's resolution hours), while the
  report is open.

    level 1  at  75% of the time   a reminder to the assignee (officer, else dispatchers)
    level 2  at 100% (overdue)     escalation to the agency head
    level 3  at 200%               escalation to the city administrator

Each deadline keeps its own level (`response_escalation_level`, `escalation_level`), and
each recorded step names its deadline (`data["deadline"]`: "response" or "resolve"), so the
report page, the notifications and the dashboard say which one was missed.

The poller never reads the clock: the periodic task passes `now`. Each step is claimed with a
conditional UPDATE on the deadline's level (record_escalation), so it is safe to run twice or
in two workers at once. A paused SLA (waiting on the citizen) does not escalate.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sigap.agencies.models import Agency, Category
from sigap.lib import workingtime
from sigap.reports import workflow
from sigap.reports.models import Report, ReportEvent
from sigap.reports.workflow import ADMIN, HEAD, REMINDER, Action, Role
from sigap.reports.services.common import MAX_DESCRIPTION, _lock, _record_change, role_of


@functools.lru_cache(maxsize=8)
def _holidays(year: int) -> frozenset:
    return workingtime.indonesian_holidays(range(year - 1, year + 3))


def calendar_for(agency: Agency, city, now: datetime) -> workingtime.Calendar:
    """Return the service calendar of an agency (round the clock unless office hours)."""
    if not agency.working_hours_only:
        return workingtime.Calendar(tz=city.tz, always_open=True)
    years = range(now.year - 1, now.year + 3)
    return workingtime.Calendar(
        tz=city.tz, always_open=False, start=agency.work_start, end=agency.work_end,
        holidays=_holidays(now.year) | city.holidays(years))


def due_times(category: Category, agency: Agency, city, start: datetime):
    """Return (response_due_at, due_at) for a report that starts its clock at `start`."""
    cal = calendar_for(agency, city, start)
    return (
        workingtime.add_service_hours(start, category.response_sla_hours, cal),
        workingtime.add_service_hours(start, category.resolve_sla_hours, cal),
    )


def pause_sla(report_id: int, *, actor, now: datetime, note: str) -> ReportEvent:
    """Stop the SLA clock while the agency waits on the citizen ("need more information")."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _(
            "Tuliskan informasi apa yang dibutuhkan dari warga.")})
    with transaction.atomic():
        report = _lock(report_id)
        role = role_of(actor, report)
        workflow.check(role, report, Action.PAUSE)
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
        workflow.check(acting, report, Action.RESUME)
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
                      now: datetime, deadline: Deadline | None = None) -> list[ReportEvent]:
    """Claim and record SLA escalation steps of one deadline (the resolution deadline unless
    told); return [] when another worker claimed first or the deadline no longer runs.

    `steps` are (level, kind) pairs above `from_level`, kind being REMINDER or ESCALATION.
    The claim is a conditional UPDATE on the deadline's level, so two pollers never both act.
    """
    deadline = deadline or RESOLVE
    if not steps:
        return []
    to_level = steps[-1][0]
    with transaction.atomic():
        claimed = Report.objects.filter(
            deadline.running, pk=report_id, **{deadline.level_field: from_level},
            status__in=workflow.OPEN, sla_paused_at__isnull=True,
        ).update(**{deadline.level_field: to_level})
        if not claimed:
            return []
        report = Report.objects.select_related("agency").get(pk=report_id)
        due_at = getattr(report, deadline.due_field)
        events = [
            ReportEvent.objects.create(
                report=report, kind=kind, old=str(level - 1), new=str(level),
                actor_role=Role.SYSTEM, agency=report.agency, is_public=False, at=now,
                data={"level": level, "deadline": deadline.name,
                      "due_at": due_at.isoformat() if due_at else None})
            for level, kind in steps
        ]
        _record_change([e.pk for e in events])
    return events


# --- The escalation ladder --------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """One of a report's two deadlines, as the ladder reads and claims it."""

    name: str  # stored in each step's data["deadline"]
    due_field: str  # the Report field holding the deadline
    level_field: str  # the Report field holding how far up this deadline's ladder it went
    hours_field: str  # the category's SLA hours, as a lookup from Report
    running: Q  # beyond "open and not paused": while this deadline still counts


RESPONSE = Deadline("response", "response_due_at", "response_escalation_level",
                    "category__response_sla_hours", Q(first_response_at__isnull=True))
RESOLVE = Deadline("resolve", "due_at", "escalation_level", "category__resolve_sla_hours", Q())
DEADLINES = (RESPONSE, RESOLVE)
BY_NAME = {d.name: d for d in DEADLINES}


def deadline_of(event) -> Deadline:
    """Return the deadline a recorded ladder step belongs to (steps recorded before both
    deadlines had a ladder are the resolution deadline's)."""
    return BY_NAME.get((event.data or {}).get("deadline"), RESOLVE)


MAX_LEVEL = ADMIN
# Fraction of the SLA at which each level fires.
LADDER = ((REMINDER, 0.75), (HEAD, 1.0), (ADMIN, 2.0))
KIND_FOR_LEVEL = {
    REMINDER: ReportEvent.Kind.REMINDER,
    HEAD: ReportEvent.Kind.ESCALATION,
    ADMIN: ReportEvent.Kind.ESCALATION,
}


@dataclass(frozen=True)
class Thresholds:
    reminder_at: datetime
    head_at: datetime
    admin_at: datetime

    def level_at(self, now: datetime) -> int:
        """Return the ladder level a report should have reached at `now`."""
        if now >= self.admin_at:
            return ADMIN
        if now >= self.head_at:
            return HEAD
        if now >= self.reminder_at:
            return REMINDER
        return 0


def thresholds(due_at: datetime, sla_hours: float,
               calendar: workingtime.Calendar) -> Thresholds:
    """Return when each ladder step fires for a deadline of `sla_hours` ending at `due_at`."""
    return Thresholds(
        reminder_at=workingtime.subtract_service_hours(due_at, sla_hours * (1 - 0.75), calendar),
        head_at=due_at,
        admin_at=workingtime.add_service_hours(due_at, sla_hours * (2.0 - 1.0), calendar),
    )


def steps_between(from_level: int, to_level: int) -> list[tuple[int, str]]:
    """Return the (level, event kind) steps from above `from_level` up to `to_level`."""
    return [(level, KIND_FOR_LEVEL[level]) for level in range(from_level + 1, to_level + 1)]


# How far ahead of due_at a reminder can fall (office hours: 25% of a long SLA spans weeks).
LOOKAHEAD = timedelta(days=30)


def due_for_escalation(now: datetime, deadline: Deadline | None = None):
    """Return (pk, due, level, agency_id, sla_hours) of open, unpaused reports whose ladder
    on `deadline` (the resolution deadline unless told) may have moved (a coarse SQL filter;
    the calendar maths is done in Python)."""
    deadline = deadline or RESOLVE
    return (
        Report.objects.open()
        .filter(deadline.running, sla_paused_at__isnull=True,
                **{f"{deadline.due_field}__isnull": False,
                   f"{deadline.level_field}__lt": MAX_LEVEL,
                   f"{deadline.due_field}__lte": now + LOOKAHEAD})
        .order_by(deadline.due_field)
        .values_list("pk", deadline.due_field, deadline.level_field, "agency_id",
                     deadline.hours_field)
    )


def run_escalations(now: datetime, *, limit: int = 20000) -> list[int]:
    """Record every escalation step that is due at `now`, on both deadlines; return the new
    event ids."""
    created: list[int] = []
    calendars: dict = {}
    for deadline in DEADLINES:
        for pk, due, level, agency_id, sla_hours in due_for_escalation(now, deadline)[:limit]:
            if agency_id not in calendars:
                agency = Agency.objects.select_related("city").get(pk=agency_id)
                calendars[agency_id] = calendar_for(agency, agency.city, now)
            target = thresholds(due, sla_hours, calendars[agency_id]).level_at(now)
            if target <= level:
                continue
            events = record_escalation(pk, from_level=level, steps=steps_between(level, target),
                                       now=now, deadline=deadline)
            created += [e.pk for e in events]
    return created
