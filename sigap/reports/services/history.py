"""Recording a line of a report's history that changes nothing else of the report (a page
to the on-duty officers, its acknowledgement, its escalation)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from sigap.reports.models import ReportEvent
from sigap.reports.services.common import _record_change


def record_event(report, *, kind: str, now: datetime, actor=None, actor_role: str = "",
                 note: str = "", data: dict | None = None,
                 is_public: bool = False) -> ReportEvent:
    """Write one event of `report` and its outbox row (its notifications follow the commit).

    Call it inside the caller's transaction when the event must commit with the caller's own
    rows (a claimed page step and its event: both or neither)."""
    with transaction.atomic():
        event = ReportEvent.objects.create(
            report=report, kind=kind, actor=actor if getattr(actor, "pk", None) else None,
            actor_role=actor_role, agency_id=report.agency_id, note=note,
            is_public=is_public, data=data or {}, at=now)
        _record_change([event.pk])
    return event
