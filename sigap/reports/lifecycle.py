"""The lifecycle kernel: what one action does to a report, as a pure function.

`apply(report, action, role, at, fields)` asks the state machine (`workflow.next_status`)
whether `role` may take `action` now, sets the action's own fields and the new status,
stamps the milestones, and returns the event that records it. Nothing else in Sigap moves a
report: the services (`reports.services.transitions`, on a locked row), the capacity engine
(`capacity.engine`, on a simulated report) and so the demo year written from the engine's
trace all call this one function (`tests/test_layers.py` checks that no other module calls
`next_status` or stamps a milestone).

`report` is anything with the report's field names (a `Report`, or the engine's `SimReport`);
foreign keys by their `_id` names. The field values an action sets are built by the
functions below (`reject_fields`, `assign_fields`, ...), so a caller chooses *which* agency or
officer, and this module decides *what changes* with it.
"""

from __future__ import annotations

from datetime import datetime

from sigap.reports import workflow
from sigap.reports.workflow import Action, Status

# ReportEvent.Kind values (kept as text: this module imports no models).
KIND_STATUS = "status"
KIND_FOR_ACTION = {
    Action.ASSIGN: "assigned",
    Action.REASSIGN: "reassigned",
    Action.MARK_DUPLICATE: "duplicate",
    Action.RECATEGORISE: "recategorised",
}
# The milestone each status stamps when a report reaches it.
MILESTONES = {
    Status.VERIFIED: "verified_at", Status.ASSIGNED: "assigned_at",
    Status.IN_PROGRESS: "started_at", Status.RESOLVED: "resolved_at",
    Status.CLOSED: "closed_at", Status.REJECTED: "closed_at", Status.DUPLICATE: "closed_at",
}
MILESTONE_FIELDS = frozenset(MILESTONES.values()) | {"first_response_at"}


def apply(report, action: str, role: str, at: datetime, fields: dict | None = None) -> dict:
    """Move `report` by `action` taken by `role` at `at`; return the event's fields.

    Raises `workflow.TransitionError` (nothing changed) when the state machine forbids it.
    """
    new = workflow.next_status(report.status, action, role)
    old = report.status
    for name, value in (fields or {}).items():
        setattr(report, name, value)
    report.status = new
    report.updated_at = at
    stamp_milestones(report, old, new, at)
    return {"kind": KIND_FOR_ACTION.get(action, KIND_STATUS), "action": action, "old": old,
            "new": new, "actor_role": role, "agency_id": report.agency_id, "at": at}


def stamp_milestones(report, old: str, new: str, at: datetime) -> None:
    """Record when the report first had an answer and when it reached `new`."""
    if new != Status.SUBMITTED and report.first_response_at is None:
        report.first_response_at = at
    name = MILESTONES.get(new)
    if old in workflow.IN_FIELD and new == Status.VERIFIED:
        name = None  # a handback: the report was verified when it was, not now
    if name:
        setattr(report, name, at)
    if new == Status.ASSIGNED and report.verified_at is None:
        report.verified_at = at


# --- what each action changes besides the status ------------------------------------------

def reject_fields(reason_text: str, note: str = "") -> dict:
    return {"reject_reason": reason_text[:300], "status_note": (note or reason_text)[:500]}


def assign_fields(team_id: int | None, officer_id: int | None) -> dict:
    return {"team_id": team_id, "officer_id": officer_id}


def resolve_fields(note: str) -> dict:
    return {"status_note": note.strip()[:500], "sla_paused_at": None}


def handback_fields() -> dict:
    return {"officer_id": None}


def reopen_fields(due_at: datetime | None) -> dict:
    """A reopened report gets a new resolution deadline counted from the reopening."""
    return {"due_at": due_at, "escalation_level": 0, "closed_at": None}


def duplicate_fields(of_id: int | None, note: str) -> dict:
    return {"duplicate_of_id": of_id, "status_note": note[:500]}


def reassign_fields(agency_id: int, response_due_at: datetime | None) -> dict:
    """Another agency's desk: back to the top of its queue, a new first-response deadline."""
    return {"agency_id": agency_id, "team_id": None, "officer_id": None,
            "escalation_level": 0, "response_escalation_level": 0,
            "response_due_at": response_due_at}


def recategorise_fields(category_id: int, agency_id: int, priority: int,
                        response_due_at: datetime | None, due_at: datetime | None) -> dict:
    """Another category: its agency, its priority and both its deadlines counted anew."""
    return {**reassign_fields(agency_id, response_due_at), "category_id": category_id,
            "priority": priority, "due_at": due_at}


def public_note_fields(report, text: str) -> dict:
    """A public note answers the citizen: the first response, when none came before."""
    fields = {"status_note": text[:500]}
    if report.first_response_at is None:
        fields["first_response_at"] = report.updated_at
    return fields
