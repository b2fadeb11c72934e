"""The state machine, exhaustively: every status × action × role."""

import itertools

import pytest

from sigap.reports import workflow
from sigap.reports.workflow import Action, IllegalTransition, NotAllowed, Role, Status

S, A, R = Status, Action, Role

# The lifecycle as the product documents it, written out independently of TRANSITIONS.
DESK = {R.DISPATCHER, R.HEAD, R.ADMIN}
EXPECTED = {
    (S.SUBMITTED, A.VERIFY): (S.VERIFIED, DESK | {R.SYSTEM}),
    (S.SUBMITTED, A.REJECT): (S.REJECTED, DESK),
    (S.VERIFIED, A.REJECT): (S.REJECTED, DESK),
    (S.REOPENED, A.REJECT): (S.REJECTED, DESK),
    (S.SUBMITTED, A.ASSIGN): (S.ASSIGNED, DESK | {R.SYSTEM}),
    (S.VERIFIED, A.ASSIGN): (S.ASSIGNED, DESK | {R.SYSTEM}),
    (S.REOPENED, A.ASSIGN): (S.ASSIGNED, DESK | {R.SYSTEM}),
    (S.ASSIGNED, A.ASSIGN): (S.ASSIGNED, DESK),
    (S.IN_PROGRESS, A.ASSIGN): (S.ASSIGNED, DESK),
    (S.ASSIGNED, A.START): (S.IN_PROGRESS, DESK | {R.OFFICER}),
    (S.REOPENED, A.START): (S.IN_PROGRESS, DESK | {R.OFFICER}),
    (S.ASSIGNED, A.RESOLVE): (S.RESOLVED, DESK | {R.OFFICER}),
    (S.IN_PROGRESS, A.RESOLVE): (S.RESOLVED, DESK | {R.OFFICER}),
    (S.ASSIGNED, A.HANDBACK): (S.VERIFIED, DESK | {R.OFFICER}),
    (S.IN_PROGRESS, A.HANDBACK): (S.VERIFIED, DESK | {R.OFFICER}),
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
    (S.SUBMITTED, A.RECATEGORISE): (S.SUBMITTED, DESK),
    (S.VERIFIED, A.RECATEGORISE): (S.SUBMITTED, DESK),
    (S.ASSIGNED, A.RECATEGORISE): (S.SUBMITTED, DESK),
    (S.REOPENED, A.RECATEGORISE): (S.SUBMITTED, DESK),
    # Scheduled work (decision 0010).
    (S.VERIFIED, A.SCHEDULE): (S.SCHEDULED, DESK),
    (S.ASSIGNED, A.SCHEDULE): (S.SCHEDULED, DESK),
    (S.REOPENED, A.SCHEDULE): (S.SCHEDULED, DESK),
    (S.SCHEDULED, A.SCHEDULE): (S.SCHEDULED, DESK),
    (S.SCHEDULED, A.START): (S.IN_PROGRESS, DESK | {R.OFFICER}),
    (S.SCHEDULED, A.RESOLVE): (S.RESOLVED, DESK | {R.OFFICER}),
    (S.SCHEDULED, A.HANDBACK): (S.VERIFIED, DESK | {R.OFFICER}),
    (S.SCHEDULED, A.ASSIGN): (S.ASSIGNED, DESK),
    (S.SCHEDULED, A.MARK_DUPLICATE): (S.DUPLICATE, DESK),
    (S.SCHEDULED, A.REASSIGN): (S.SUBMITTED, DESK),
}

ALL = list(itertools.product(Status, Action, Role))


@pytest.mark.parametrize("status,action,role", ALL)
def test_it_follows_the_documented_lifecycle(status, action, role):
    expected = EXPECTED.get((status, action))
    if expected is None:
        with pytest.raises(IllegalTransition):
            workflow.next_status(status, action, role)
    elif role in expected[1]:
        assert workflow.next_status(status, action, role) == expected[0]
    else:
        with pytest.raises(NotAllowed):
            workflow.next_status(status, action, role)


def test_it_has_no_way_out_of_final_states_except_reopen_from_closed():
    for status in (S.REJECTED, S.DUPLICATE):
        for role in Role:
            assert workflow.allowed_actions(status, role) == []
    assert workflow.allowed_actions(S.CLOSED, R.REPORTER) == [A.REOPEN]


def test_it_maps_statuses_to_open311():
    closed = {S.RESOLVED, S.CLOSED, S.REJECTED, S.DUPLICATE}
    for status in Status:
        assert workflow.open311_status(status) == ("closed" if status in closed else "open")


def test_it_labels_statuses_in_indonesian():
    assert [s.label for s in Status] == [
        "Menunggu", "Diverifikasi", "Ditugaskan", "Dalam Proses", "Selesai", "Ditutup",
        "Ditolak", "Duplikat", "Dibuka Kembali", "Dijadwalkan"]


def test_it_refuses_unknown_actions_and_statuses():
    with pytest.raises(IllegalTransition):
        workflow.next_status("submitted", "fly", "admin")
    with pytest.raises(IllegalTransition):
        workflow.next_status("lost", "verify", "admin")


def test_it_explains_an_illegal_transition_in_indonesian():
    with pytest.raises(IllegalTransition) as exc:
        workflow.next_status(S.CLOSED, A.START, R.OFFICER)
    assert "Ditutup" in exc.value.message
