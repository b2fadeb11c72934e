"""The services refuse what the state machine refuses, with the errors they always raised.

Each actor tries each action on a report in each state, inside a savepoint rolled back after
the try; what happens is compared with the hand-written expectation (test_permissions).
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from sigap.reports import services
from sigap.reports.models import Report
from sigap.reports.tests.test_permissions import RULES, TRANSITIONS, expected
from sigap.reports.workflow import Action, IllegalTransition, NotAllowed, Role, Status

A, R = Action, Role

# actor name: the part it plays for the DLHK report below
ACTORS = {
    "reporter": R.REPORTER, "citizen": R.CITIZEN, "officer": R.OFFICER,
    "officer_other": R.CITIZEN, "dispatcher": R.DISPATCHER, "head": R.HEAD, "admin": R.ADMIN,
    "nobody": R.NONE,
}
ACCOUNTS = {"reporter": ("citizen", None), "citizen": ("citizen", None),
            "officer": ("officer", "DLHK"), "officer_other": ("officer", "PUPR"),
            "dispatcher": ("dispatcher", "DLHK"), "head": ("head", "DLHK"),
            "admin": ("admin", None)}


class _RolledBack(Exception):
    pass


def _attempt(call) -> str:
    try:
        with transaction.atomic():
            call()
            raise _RolledBack
    except _RolledBack:
        return "done"
    except NotAllowed:
        return "not_allowed"
    except IllegalTransition:
        return "not_now"
    except ValidationError:
        return "invalid"


def _calls(report, actor, now):
    """One call per action, with valid input, so only the permission can refuse it."""
    pk = report.pk
    return {
        A.PAUSE: lambda: services.pause_sla(pk, actor=actor, now=now, note="Foto dari dekat?"),
        A.RESUME: lambda: services.resume_sla(pk, actor=actor, now=now),
        A.NOTE_INTERNAL: lambda: services.add_note(pk, actor=actor, now=now, text="x",
                                                   public=False),
        A.NOTE_PUBLIC: lambda: services.add_note(pk, actor=actor, now=now, text="x",
                                                 public=True),
        A.COMMENT: lambda: services.add_comment(pk, actor=actor, now=now, text="Di sini juga"),
        A.RATE: lambda: services.rate(pk, actor=actor, now=now, stars=4),
        A.SUPPORT: lambda: services.support(pk, supporter_key="c" + "a" * 32, user=actor,
                                            now=now),
        A.FOLLOW: lambda: services.follow(pk, user=actor, now=now),
        # Every status change goes through services.transition (the per-action services add
        # their input checks around it).
        A.START: lambda: services.transition(pk, A.START, actor=actor, now=now),
        A.CLOSE: lambda: services.transition(pk, A.CLOSE, actor=actor, now=now),
        A.REOPEN: lambda: services.transition(pk, A.REOPEN, actor=actor, now=now),
        A.VERIFY: lambda: services.transition(pk, A.VERIFY, actor=actor, now=now),
    }


def _refusal(action, role, status):
    """The error each service has always raised for a refusal: the wrong part is refused
    first for the other actions (a comment at the wrong moment is invalid input); a status
    change first for the status."""
    if action in RULES:
        if role not in RULES[action][0]:
            return "not_allowed"
        return "invalid" if action == A.COMMENT else "not_now"
    return "not_allowed" if (Status(status), action) in TRANSITIONS else "not_now"


# (status to bring the report to, SLA paused, public)
STATES = [
    ("submitted", False, True), ("assigned", False, True), ("assigned", True, True),
    ("resolved", False, True), ("closed", False, False), ("rejected", True, True),
]


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES, ids=lambda s: "-".join(map(str, s)))
def test_it_refuses_what_the_machine_refuses(state, make_user, make_report, photo, now):
    status, paused, public = state
    users = {name: make_user(role, agency=agency, email=f"{name}@sigap.test")
             for name, (role, agency) in ACCOUNTS.items()}
    users["nobody"] = None
    admin = users["admin"]
    report = make_report(reporter=users["reporter"], is_public=public)
    if status in ("assigned", "resolved", "closed"):
        services.verify(report.pk, actor=admin, now=now)
        services.assign(report.pk, actor=admin, now=now, officer=users["officer"])
    if status in ("resolved", "closed"):
        services.resolve(report.pk, actor=admin, now=now, note="Beres", photos=[photo()])
    if status == "closed":
        services.close(report.pk, actor=admin, now=now)
    if paused:
        services.pause_sla(report.pk, actor=admin, now=now, note="Foto dari dekat?")
    if status == "rejected":
        services.reject(report.pk, actor=admin, now=now, reason="spam")
    report = Report.objects.get(pk=report.pk)
    assert (report.status, report.sla_paused_at is not None, report.is_public) == state

    wrong = []
    for name, role in ACTORS.items():
        if name == "officer" and report.officer_id != users["officer"].pk:
            role = R.CITIZEN  # an officer of the agency, but not on this report
        assert services.role_of(users[name], report) == role
        for action, call in _calls(report, users[name], now).items():
            got = _attempt(call)
            if expected(action, role, Status(status), paused, public):
                want = "done"
            else:
                want = _refusal(action, role, status)
            if got != want:
                wrong.append((name, str(action), got, want))
    assert wrong == []
