"""The audit of personal data: one function every surface calls when it shows or exports it.

    from sigap.accounts import audit
    audit.record(request.user, audit.EXPORT, "reports.xlsx", now=now, detail={"rows": 120})
"""

from __future__ import annotations

from datetime import datetime

from sigap.accounts.models import AuditEntry

CONTACT_VIEWED = AuditEntry.Action.CONTACT_VIEWED
EXPORT = AuditEntry.Action.EXPORT
PERSONAL_DATA_EXPORT = AuditEntry.Action.PERSONAL_DATA_EXPORT
ACCOUNT_DELETED = AuditEntry.Action.ACCOUNT_DELETED


def record(actor, action: str, target: str, now: datetime, detail: dict | None = None
           ) -> AuditEntry:
    """Append one entry: `actor` (a user, or None for the system) did `action` to `target`."""
    signed_in = getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        at=now, actor=actor if signed_in else None,
        actor_name=(actor.get_username() if signed_in else "")[:150],
        action=AuditEntry.Action(action), target=str(target)[:200], detail=detail or {})


def trail(target: str):
    """Return the entries about `target`, newest first."""
    return AuditEntry.objects.filter(target=target).order_by("-at", "-pk")
