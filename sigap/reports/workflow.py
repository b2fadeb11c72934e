"""The one state machine of a report's lifecycle. No database access: test it exhaustively.

    submitted → verified → assigned → in_progress → resolved → closed
    plus rejected (with a reason), duplicate (of a kept report), reopened (from resolved or
    closed, back into work).

Every caller (citizen pages, back office, REST API, Open311, background jobs) goes through
`next_status`, by way of `sigap.reports.services`.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Menunggu")
    VERIFIED = "verified", _("Diverifikasi")
    ASSIGNED = "assigned", _("Ditugaskan")
    IN_PROGRESS = "in_progress", _("Dalam Proses")
    RESOLVED = "resolved", _("Selesai")
    CLOSED = "closed", _("Ditutup")
    REJECTED = "rejected", _("Ditolak")
    DUPLICATE = "duplicate", _("Duplikat")
    REOPENED = "reopened", _("Dibuka Kembali")


class Action(models.TextChoices):
    VERIFY = "verify", _("Verifikasi")
    REJECT = "reject", _("Tolak")
    ASSIGN = "assign", _("Tugaskan")
    START = "start", _("Mulai kerjakan")
    RESOLVE = "resolve", _("Selesaikan")
    CLOSE = "close", _("Tutup")
    REOPEN = "reopen", _("Buka kembali")
    MARK_DUPLICATE = "mark-duplicate", _("Tandai duplikat")
    REASSIGN = "reassign", _("Alihkan ke dinas lain")
    HANDBACK = "handback", _("Tidak bisa diselesaikan")
    RECATEGORISE = "recategorise", _("Ubah kategori")


class Role(models.TextChoices):
    """The part an actor plays for one report (not the user's account role)."""

    REPORTER = "reporter", _("Pelapor")
    OFFICER = "officer", _("Petugas")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HEAD = "head", _("Kepala dinas")
    ADMIN = "admin", _("Administrator kota")
    SYSTEM = "system", _("Sistem")
    NONE = "none", _("Tidak berwenang")


S, A, R = Status, Action, Role

OPEN = frozenset({S.SUBMITTED, S.VERIFIED, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED})
CLOSED_FOR_OPEN311 = frozenset({S.RESOLVED, S.CLOSED, S.REJECTED, S.DUPLICATE})
FINAL = frozenset({S.CLOSED, S.REJECTED, S.DUPLICATE})
# Statuses in which an officer is working on the report.
IN_FIELD = frozenset({S.ASSIGNED, S.IN_PROGRESS})

DESK = frozenset({R.DISPATCHER, R.HEAD, R.ADMIN})
FIELD = DESK | {R.OFFICER}

# The SLA escalation ladder's levels (Report.escalation_level; the ladder in services/sla.py):
# a reminder to the assignee, then the agency head, then the city administrator.
REMINDER, HEAD, ADMIN = 1, 2, 3

# (from status, action) -> (to status, roles allowed)
TRANSITIONS: dict[tuple[Status, Action], tuple[Status, frozenset[Role]]] = {
    (S.SUBMITTED, A.VERIFY): (S.VERIFIED, DESK | {R.SYSTEM}),
    (S.SUBMITTED, A.REJECT): (S.REJECTED, DESK),
    (S.VERIFIED, A.REJECT): (S.REJECTED, DESK),
    (S.REOPENED, A.REJECT): (S.REJECTED, DESK),
    (S.SUBMITTED, A.ASSIGN): (S.ASSIGNED, DESK | {R.SYSTEM}),
    (S.VERIFIED, A.ASSIGN): (S.ASSIGNED, DESK | {R.SYSTEM}),
    (S.REOPENED, A.ASSIGN): (S.ASSIGNED, DESK | {R.SYSTEM}),
    (S.ASSIGNED, A.ASSIGN): (S.ASSIGNED, DESK),
    (S.IN_PROGRESS, A.ASSIGN): (S.ASSIGNED, DESK),
    (S.ASSIGNED, A.START): (S.IN_PROGRESS, FIELD),
    (S.REOPENED, A.START): (S.IN_PROGRESS, FIELD),
    (S.ASSIGNED, A.RESOLVE): (S.RESOLVED, FIELD),
    (S.IN_PROGRESS, A.RESOLVE): (S.RESOLVED, FIELD),
    (S.ASSIGNED, A.HANDBACK): (S.VERIFIED, FIELD),
    (S.IN_PROGRESS, A.HANDBACK): (S.VERIFIED, FIELD),
    (S.RESOLVED, A.CLOSE): (S.CLOSED, DESK | {R.REPORTER, R.SYSTEM}),
    (S.RESOLVED, A.REOPEN): (S.REOPENED, DESK | {R.REPORTER}),
    (S.CLOSED, A.REOPEN): (S.REOPENED, DESK | {R.REPORTER}),
    (S.SUBMITTED, A.MARK_DUPLICATE): (S.DUPLICATE, DESK),
    (S.VERIFIED, A.MARK_DUPLICATE): (S.DUPLICATE, DESK),
    (S.ASSIGNED, A.MARK_DUPLICATE): (S.DUPLICATE, DESK),
    (S.REOPENED, A.MARK_DUPLICATE): (S.DUPLICATE, DESK),
    (S.SUBMITTED, A.REASSIGN): (S.SUBMITTED, DESK),
    (S.VERIFIED, A.REASSIGN): (S.SUBMITTED, DESK),
    (S.ASSIGNED, A.REASSIGN): (S.SUBMITTED, DESK),
    (S.REOPENED, A.REASSIGN): (S.SUBMITTED, DESK),
    # A new category is a new triage: the report joins its (maybe new) agency's queue.
    (S.SUBMITTED, A.RECATEGORISE): (S.SUBMITTED, DESK),
    (S.VERIFIED, A.RECATEGORISE): (S.SUBMITTED, DESK),
    (S.ASSIGNED, A.RECATEGORISE): (S.SUBMITTED, DESK),
    (S.REOPENED, A.RECATEGORISE): (S.SUBMITTED, DESK),
}


class TransitionError(Exception):
    """A transition that may not happen; nothing was changed."""

    code = "invalid_transition"

    def __init__(self, status: str, action: str, role: str, message: str):
        super().__init__(message)
        self.status, self.action, self.role = status, action, role
        self.message = message


class IllegalTransition(TransitionError):
    code = "illegal_transition"


class NotAllowed(TransitionError):
    code = "not_allowed"


def next_status(status: str, action: str, role: str) -> Status:
    """Return the status after `action` by an actor in `role`, or raise TransitionError."""
    try:
        st, ac, ro = Status(status), Action(action), Role(role)
    except ValueError:
        raise IllegalTransition(status, action, role, str(_("Tindakan tidak dikenal."))) from None
    entry = TRANSITIONS.get((st, ac))
    if entry is None:
        raise IllegalTransition(
            status, action, role,
            str(_("Laporan berstatus “%(status)s” tidak bisa di-%(action)s.")
                % {"status": st.label, "action": ac.label.lower()}),
        )
    new, roles = entry
    if ro not in roles:
        raise NotAllowed(
            status, action, role,
            str(_("Anda tidak berwenang melakukan “%(action)s” pada laporan ini.")
                % {"action": ac.label}),
        )
    return new


def allowed_actions(status: str, role: str) -> list[Action]:
    """Return the actions an actor in `role` may take on a report in `status`."""
    return [ac for (st, ac), (_new, roles) in TRANSITIONS.items() if st == status and role in roles]


def is_open(status: str) -> bool:
    return status in OPEN


def open311_status(status: str) -> str:
    """Return 'open' or 'closed' as Open311 GeoReport v2 knows them."""
    return "closed" if status in CLOSED_FOR_OPEN311 else "open"
