"""The dispatcher's tools that are not plain state-machine steps: plan work for a date
(SCHEDULE), change a report's priority or deadline with a reason (audited), and run any
action once per idempotency key (the officer's offline outbox sends each action with one).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sigap.reports import lifecycle, workflow
from sigap.reports.models import IdempotencyKey, Report, ReportEvent
from sigap.reports.services.common import _lock, _record_change, role_of
from sigap.reports.services.transitions import transition
from sigap.reports.workflow import Action

PRIORITIES = (1, 2, 3, 4, 5)


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": _("Tuliskan alasannya.")})
    return text[:1000]


def schedule(report_id: int, *, actor, now: datetime, on: date, note: str = "",
             is_public: bool = True) -> Report:
    """Plan the work for the day `on` (status "scheduled", shown to the citizen). The SLA
    keeps running (decision 0010): a later deadline is a separate, audited change."""
    if on is None:
        raise ValidationError({"on": _("Pilih tanggal pengerjaan.")})

    def apply(report):
        if on < now.astimezone(report.city.tz).date():
            raise ValidationError({"on": _("Tanggal pengerjaan tidak boleh sebelum hari ini.")})
        shown = _("Dijadwalkan dikerjakan pada %(d)s") % {"d": on.strftime("%d-%m-%Y")} \
            if is_public else ""
        return lifecycle.schedule_fields(on, shown)

    return transition(report_id, Action.SCHEDULE, actor=actor, now=now,
                      note=(note or "").strip(), apply=apply, is_public=is_public,
                      data={"on": on.isoformat()})


def _audited_change(report_id: int, action: Action, *, actor, now: datetime, kind: str,
                    field: str, value, shown: Callable[[object], str], reason: str,
                    is_public: bool) -> Report:
    """Change one field of an open report and record old, new, actor and reason."""
    text = _reason(reason)
    with transaction.atomic():
        report = _lock(report_id)
        acting = role_of(actor, report)
        workflow.check(acting, report, action)
        old = getattr(report, field)
        if old == value:
            raise ValidationError({field: _("Nilainya sama dengan yang sekarang.")})
        setattr(report, field, value)
        report.updated_at = now
        report.save(update_fields=[field, "updated_at"])
        event = ReportEvent.objects.create(
            report=report, kind=kind, action=action, old=shown(old), new=shown(value),
            actor=actor if getattr(actor, "pk", None) else None, actor_role=acting,
            agency=report.agency, note=text, is_public=is_public,
            data={"field": field, "old": shown(old), "new": shown(value)}, at=now)
        _record_change([event.pk])
    return report


def reprioritise(report_id: int, *, actor, now: datetime, priority: int, reason: str,
                 is_public: bool = False) -> Report:
    """Give the report another priority (1 most urgent … 5), with a reason."""
    if priority not in PRIORITIES:
        raise ValidationError({"priority": _("Prioritas harus 1 sampai 5.")})
    return _audited_change(report_id, Action.REPRIORITISE, actor=actor, now=now,
                           kind=ReportEvent.Kind.PRIORITY, field="priority", value=priority,
                           shown=str, reason=reason, is_public=is_public)


def change_deadline(report_id: int, *, actor, now: datetime, due_at: datetime, reason: str,
                    is_public: bool = False) -> Report:
    """Move the resolution deadline, with a reason; the escalation ladder starts again from
    the new deadline (its level is reset, as a reopened report's is)."""
    if due_at is None or due_at <= now:
        raise ValidationError({"due_at": _("Tenggat baru harus di masa depan.")})
    report = _audited_change(report_id, Action.CHANGE_DEADLINE, actor=actor, now=now,
                             kind=ReportEvent.Kind.DEADLINE, field="due_at", value=due_at,
                             shown=lambda v: v.isoformat() if v else "", reason=reason,
                             is_public=is_public)
    Report.objects.filter(pk=report.pk).update(escalation_level=0)
    report.escalation_level = 0
    return report


def once(scope: str, key: str | None, report_id: int, run: Callable[[], Report], *,
         now: datetime) -> tuple[Report, bool]:
    """Run `run()` (a service on report `report_id`) once per (scope, key): a key already
    seen returns (the report, True) without running it again, as create_report replays a
    known key (decision 0003). The key is written in the same transaction as the action's
    rows: both commit, or neither. Return (report, replayed)."""
    if not key:
        return run(), False
    key = key[:120]
    seen = IdempotencyKey.objects.filter(scope=scope, key=key).values_list(
        "report_id", flat=True).first()
    if seen is not None:
        return Report.objects.get(pk=seen), True
    try:
        with transaction.atomic():
            report = run()
            IdempotencyKey.objects.create(scope=scope, key=key, report_id=report_id,
                                          created_at=now)
    except (IntegrityError, workflow.TransitionError, ValidationError):
        # A retry of the same action committed first (the unique key refused ours, or the
        # report had already moved on, and our transaction rolled back): answer as the first
        # was answered. A refusal with no such first run is the caller's to show.
        if IdempotencyKey.objects.filter(scope=scope, key=key).exists():
            return Report.objects.get(pk=report_id), True
        raise
    return report, False
