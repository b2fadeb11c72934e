"""The SLA clock of a report: deadlines in the agency's service time, pausing while the
agency waits on the citizen, and recording escalation steps.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sigap.agencies.models import Agency, Category
from sigap.lib import workingtime
from sigap.reports import workflow
from sigap.reports.models import Report, ReportEvent
from sigap.reports.workflow import Role
from sigap.reports.services.common import MAX_DESCRIPTION, _lock, _record_change, role_of


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
