"""Every permission on a report, exhaustively: action × role × status × paused × public.

The expected answers are written out here by hand, from the product's rules, and not read
from reports.workflow: the status changes in test_workflow.EXPECTED, the other actions in
RULES below. Other tests (the services, the pages) compare against `expected` too.
"""

import itertools
from types import SimpleNamespace

import pytest

from sigap.reports import workflow
from sigap.reports.tests.test_workflow import EXPECTED as TRANSITIONS
from sigap.reports.workflow import Action, IllegalTransition, NotAllowed, Role, Status

S, A, R = Status, Action, Role

OPEN = {S.SUBMITTED, S.VERIFIED, S.ASSIGNED, S.IN_PROGRESS, S.REOPENED, S.SCHEDULED}
EVERY_STATUS = set(Status)
BOTH = {True, False}
DESK = {R.DISPATCHER, R.HEAD, R.ADMIN}
FIELD = DESK | {R.OFFICER}
ACCOUNTS = FIELD | {R.REPORTER, R.CITIZEN}

# action: (who, in which statuses, SLA paused?, report public?)
RULES = {
    # The agency waits on the citizen: the clock stops while the report is open and running.
    A.PAUSE: (FIELD, OPEN, {False}, BOTH),
    # ...and starts again when staff say so, or the system when the reporter answers.
    A.RESUME: (FIELD | {R.SYSTEM}, EVERY_STATUS, {True}, BOTH),
    A.NOTE_INTERNAL: (FIELD, EVERY_STATUS, BOTH, BOTH),
    A.NOTE_PUBLIC: (FIELD, EVERY_STATUS, BOTH, BOTH),
    # Anyone with an account, on a public report.
    A.COMMENT: (ACCOUNTS, EVERY_STATUS, BOTH, {True}),
    # Only the reporter, once the work is done.
    A.RATE: ({R.REPORTER}, {S.RESOLVED, S.CLOSED}, BOTH, BOTH),
    # Anyone, with or without an account, while the report is open.
    A.SUPPORT: (ACCOUNTS | {R.NONE}, OPEN, BOTH, BOTH),
    A.FOLLOW: (ACCOUNTS, EVERY_STATUS, BOTH, BOTH),
    # The desk changes priority and deadline of open reports (with a reason, in the service).
    A.REPRIORITISE: (DESK, OPEN, BOTH, BOTH),
    A.CHANGE_DEADLINE: (DESK, OPEN, BOTH, BOTH),
}


def expected(action, role, status, paused=False, public=True) -> bool:
    """The hand-written answer: may `role` take `action` on a report in this state?"""
    if action in RULES:
        roles, statuses, pauses, publics = RULES[action]
        return role in roles and status in statuses and paused in pauses and public in publics
    entry = TRANSITIONS.get((status, action))
    return entry is not None and role in entry[1]


def report(status, paused=False, public=True):
    return SimpleNamespace(status=status, sla_paused_at="2026-01-05T09:00" if paused else None,
                           is_public=public)


STATES = list(itertools.product(Status, [False, True], [True, False]))


def test_it_has_an_expectation_for_every_action():
    assert {a for (_s, a) in TRANSITIONS} | set(RULES) == set(Action)


@pytest.mark.parametrize("action", list(Action))
def test_it_allows_exactly_what_the_product_says(action):
    wrong = [
        (role.value, status.value, paused, public)
        for role, (status, paused, public) in itertools.product(Role, STATES)
        if workflow.allowed(role, report(status, paused, public), action)
        != expected(action, role, status, paused, public)
    ]
    assert wrong == []


@pytest.mark.parametrize("role", list(Role))
def test_it_lists_the_same_actions_it_allows(role):
    for status, paused, public in STATES:
        want = {str(a) for a in Action if expected(a, role, status, paused, public)}
        assert workflow.actions_for(role, report(status, paused, public)) == want


@pytest.mark.parametrize("action", list(RULES))
def test_it_refuses_the_wrong_part_before_the_wrong_moment(action):
    roles, statuses, pauses, publics = RULES[action]
    for role, (status, paused, public) in itertools.product(Role, STATES):
        r = report(status, paused, public)
        if expected(action, role, status, paused, public):
            workflow.check(role, r, action)
        elif role not in roles:
            with pytest.raises(NotAllowed) as refused:
                workflow.check(role, r, action)
            assert refused.value.message and refused.value.action == action
        else:
            with pytest.raises(IllegalTransition) as refused:
                workflow.check(role, r, action)
            assert refused.value.message


def test_it_refuses_status_changes_as_next_status_does():
    r = report(S.CLOSED)
    with pytest.raises(IllegalTransition):
        workflow.check(R.ADMIN, r, A.VERIFY)        # no such move from closed
    with pytest.raises(NotAllowed):
        workflow.check(R.OFFICER, r, A.REOPEN)       # a move, but not the officer's
    workflow.check(R.REPORTER, r, A.REOPEN)


def test_it_narrows_to_the_actions_asked_for():
    r = report(S.SUBMITTED)
    assert workflow.actions_for(R.DISPATCHER, r, among=(A.VERIFY, A.START, A.PAUSE)) == {
        "verify", "pause"}
    assert workflow.actions_for(R.NONE, r) == {"support"}
    assert workflow.actions_for(R.CITIZEN, report(S.CLOSED)) == {"comment", "follow"}
