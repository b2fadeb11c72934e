"""The SLA escalation ladder: a pure calculator plus an idempotent poller.

The ladder runs on the resolution deadline (`Report.due_at`), measured in the agency's
service time (round the clock, or office hours without weekends and Indonesian holidays):

    level 1  at  75% of the time   a reminder to the assignee (officer, else dispatchers)
    level 2  at 100% (overdue)     escalation to the agency head
    level 3  at 200%               escalation to the city administrator

The poller never reads the clock: the periodic task passes `now`. Each step is claimed with a
conditional UPDATE on `escalation_level` (see services.record_escalation), so it is safe to
run twice or in two workers at once. A paused SLA (waiting on the citizen) does not escalate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sigap.lib import workingtime
from sigap.reports.models import ReportEvent

REMINDER, HEAD, ADMIN = 1, 2, 3
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


def due_for_escalation(now: datetime):
    """Return (pk, due_at, level, agency_id, sla_hours) of open, unpaused reports whose
    ladder may have moved (a coarse SQL filter; the calendar maths is done in Python)."""
    from sigap.reports.models import Report

    return (
        Report.objects.open()
        .filter(sla_paused_at__isnull=True, due_at__isnull=False,
                escalation_level__lt=MAX_LEVEL, due_at__lte=now + LOOKAHEAD)
        .order_by("due_at")
        .values_list("pk", "due_at", "escalation_level", "agency_id",
                     "category__resolve_sla_hours")
    )


def run_escalations(now: datetime, *, limit: int = 20000) -> list[int]:
    """Record every escalation step that is due at `now`; return the new event ids."""
    from sigap.agencies.models import Agency
    from sigap.reports import services

    created: list[int] = []
    calendars: dict = {}
    for pk, due_at, level, agency_id, sla_hours in due_for_escalation(now)[:limit]:
        if agency_id not in calendars:
            agency = Agency.objects.select_related("city").get(pk=agency_id)
            calendars[agency_id] = services.calendar_for(agency, agency.city, now)
        target = thresholds(due_at, sla_hours, calendars[agency_id]).level_at(now)
        if target <= level:
            continue
        events = services.record_escalation(
            pk, from_level=level, steps=steps_between(level, target), now=now)
        created += [e.pk for e in events]
    return created
