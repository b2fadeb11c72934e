"""The one state machine of a report's lifecycle, and every permission on a report.
No database access: test it exhaustively.

    submitted → verified → assigned → in_progress → resolved → closed
    plus rejected (with a reason), duplicate (of a kept report), reopened (from resolved or
    closed, back into work), and scheduled (work planned for a date: from verified, assigned
    or reopened; started, resolved or handed back from there; decision 0010).

Two tables answer "may this part (Role) do this (Action) to this report now?":
`TRANSITIONS` for the actions that change the status, `RULES` for the others (pause and
resume the SLA, notes, comments, ratings, support, following). `check` raises the refusal,
`allowed` says yes or no, `actions_for` lists everything allowed. The services check before
they write (by way of `sigap.reports.services`, which also says which part an account plays);
the pages show the buttons `actions_for` lists and no others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

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
    SCHEDULED = "scheduled", _("Dijadwalkan")


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
    SCHEDULE = "schedule", _("Jadwalkan")
    # Not status changes (RULES below):
    PAUSE = "pause", _("Jeda SLA")
    RESUME = "resume", _("Lanjutkan SLA")
    NOTE_INTERNAL = "note-internal", _("Catatan internal")
    NOTE_PUBLIC = "note-public", _("Catatan publik")
    COMMENT = "comment", _("Komentar")
    RATE = "rate", _("Beri nilai")
    SUPPORT = "support", _("Saya juga")
    FOLLOW = "follow", _("Ikuti")
    REPRIORITISE = "reprioritise", _("Ubah prioritas")
    CHANGE_DEADLINE = "change-deadline", _("Ubah tenggat")


class Role(models.TextChoices):
    """The part an actor plays for one report (not the user's account role)."""

    REPORTER = "reporter", _("Pelapor")
    CITIZEN = "citizen", _("Warga")  # signed in, with no other part in this report
    OFFICER = "officer", _("Petugas")
    DISPATCHER = "dispatcher", _("Dispatcher")
    HEAD = "head", _("Kepala dinas")
    ADMIN = "admin", _("Administrator kota")
    SYSTEM = "system", _("Sistem")
    NONE = "none", _("Tidak berwenang")


S, A, R = Status, Action, Role

OPEN = frozenset({S.SUBMITTED, S.VERIFIED, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED,
                  S.SCHEDULED})
CLOSED_FOR_OPEN311 = frozenset({S.RESOLVED, S.CLOSED, S.REJECTED, S.DUPLICATE})
FINAL = frozenset({S.CLOSED, S.REJECTED, S.DUPLICATE})
# Statuses in which an officer is working on the report.
IN_FIELD = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.SCHEDULED})

DESK = frozenset({R.DISPATCHER, R.HEAD, R.ADMIN})
FIELD = DESK | {R.OFFICER}
# Everyone with an account (or the reporter's private link).
SIGNED_IN = FIELD | {R.REPORTER, R.CITIZEN}

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
    # Work planned for a date (decision 0010): the desk plans it; the field starts it, finishes
    # it or hands it back; the desk may plan it again, re-assign, merge or re-route it.
    (S.VERIFIED, A.SCHEDULE): (S.SCHEDULED, DESK),
    (S.ASSIGNED, A.SCHEDULE): (S.SCHEDULED, DESK),
    (S.REOPENED, A.SCHEDULE): (S.SCHEDULED, DESK),
    (S.SCHEDULED, A.SCHEDULE): (S.SCHEDULED, DESK),
    (S.SCHEDULED, A.START): (S.IN_PROGRESS, FIELD),
    (S.SCHEDULED, A.RESOLVE): (S.RESOLVED, FIELD),
    (S.SCHEDULED, A.HANDBACK): (S.VERIFIED, FIELD),
    (S.SCHEDULED, A.ASSIGN): (S.ASSIGNED, DESK),
    (S.SCHEDULED, A.MARK_DUPLICATE): (S.DUPLICATE, DESK),
    (S.SCHEDULED, A.REASSIGN): (S.SUBMITTED, DESK),
}


class Rule(NamedTuple):
    """Who may take an action that is not a status change, and in which state of the report."""

    roles: frozenset[Role]
    when: Callable[[object], bool]  # the report's state: reads status, sla_paused_at, is_public
    refused: str | None = None  # why this part may not (default: the generic refusal)
    not_now: str = ""  # why not in this state


def _open_and_running(report) -> bool:
    return report.status in OPEN and report.sla_paused_at is None


RULES: dict[Action, Rule] = {
    A.PAUSE: Rule(FIELD, _open_and_running, _("Anda tidak berwenang menjeda SLA."), _(
        "SLA laporan ini tidak bisa dijeda (sudah dijeda atau laporan tidak terbuka).")),
    A.RESUME: Rule(FIELD | {R.SYSTEM}, lambda r: r.sla_paused_at is not None,
                   _("Anda tidak berwenang melanjutkan SLA."),
                   _("SLA laporan ini tidak sedang dijeda.")),
    A.NOTE_INTERNAL: Rule(FIELD, lambda r: True, _("Anda tidak berwenang menambah catatan.")),
    A.NOTE_PUBLIC: Rule(FIELD, lambda r: True, _("Anda tidak berwenang menambah catatan.")),
    A.COMMENT: Rule(SIGNED_IN, lambda r: r.is_public, _("Masuk dulu untuk menulis komentar."),
                    _("Laporan ini tidak menerima komentar.")),
    A.RATE: Rule(frozenset({R.REPORTER}), lambda r: r.status in (S.RESOLVED, S.CLOSED),
                 _("Hanya pelapor yang bisa memberi nilai."), _("Laporan belum selesai.")),
    # Anyone, with or without an account (a cookie or a phone number tells them apart).
    A.SUPPORT: Rule(SIGNED_IN | {R.NONE}, lambda r: r.status in OPEN, None,
                    _("Laporan ini sudah tidak menerima dukungan.")),
    A.FOLLOW: Rule(SIGNED_IN, lambda r: True),
    # The desk changes an open report's priority or deadline, always with a reason.
    A.REPRIORITISE: Rule(DESK, lambda r: r.status in OPEN,
                         _("Hanya meja dinas yang bisa mengubah prioritas."),
                         _("Prioritas laporan yang sudah selesai tidak bisa diubah.")),
    A.CHANGE_DEADLINE: Rule(DESK, lambda r: r.status in OPEN,
                            _("Hanya meja dinas yang bisa mengubah tenggat."),
                            _("Tenggat laporan yang sudah selesai tidak bisa diubah.")),
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
    """Return the status changes an actor in `role` may make to a report in `status`."""
    return [ac for (st, ac), (_new, roles) in TRANSITIONS.items() if st == status and role in roles]


def _refusal(action: Action, role: str, text) -> str:
    if text:
        return str(text)
    return str(_("Anda tidak berwenang melakukan “%(action)s” pada laporan ini.")
               % {"action": action.label})


def check(role: str, report, action: str) -> None:
    """Raise the TransitionError that refuses `action` by `role` on `report` (anything with
    status, sla_paused_at and is_public), or return. Status changes are refused first for
    the status, then for the role (`next_status`); the other actions first for the role."""
    rule = RULES.get(action)
    if rule is None:
        next_status(report.status, action, role)
        return
    if role not in rule.roles:
        raise NotAllowed(report.status, action, role, _refusal(action, role, rule.refused))
    if not rule.when(report):
        raise IllegalTransition(report.status, action, role, str(rule.not_now))


def allowed(role: str, report, action: str) -> bool:
    """Return whether `role` may take `action` on `report` now."""
    rule = RULES.get(action)
    if rule is None:
        entry = TRANSITIONS.get((report.status, action))
        return entry is not None and role in entry[1]
    return role in rule.roles and rule.when(report)


def actions_for(role: str, report, among: Iterable[str] | None = None) -> frozenset[str]:
    """Return every action (or those `among`) that `role` may take on `report` now, as the
    strings templates test: `{% if "verify" in actions %}`."""
    return frozenset(str(a) for a in (Action if among is None else among)
                     if allowed(role, report, a))


def is_open(status: str) -> bool:
    return status in OPEN


def open311_status(status: str) -> str:
    """Return 'open' or 'closed' as Open311 GeoReport v2 knows them."""
    return "closed" if status in CLOSED_FOR_OPEN311 else "open"
