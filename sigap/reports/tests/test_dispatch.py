"""The dispatcher's tools: scheduled work, priority and deadline changes with a reason,
actions run once per idempotency key, and the proof photo's distance from the report."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from conftest import jpeg_bytes
from sigap.reports import services, workflow
from sigap.reports.models import IdempotencyKey, Photo, ReportEvent
from sigap.reports.workflow import NotAllowed, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_user):
    return make_user("dispatcher", agency="DLHK")


@pytest.fixture
def officer(make_user):
    return make_user("officer", agency="DLHK")


def assigned(make_report, desk, officer, now):
    report = make_report()
    return services.assign(report.pk, actor=desk, now=now, officer=officer)


def test_it_schedules_work_for_a_date_and_the_officer_starts_it(make_report, desk, officer,
                                                                  now):
    report = assigned(make_report, desk, officer, now)
    on = (now + timedelta(days=3)).date()
    report = services.schedule(report.pk, actor=desk, now=now, on=on, note="Alat berat")
    assert report.status == Status.SCHEDULED and report.scheduled_for == on
    assert report.is_open and report.due_at is not None  # the SLA keeps running (0010)
    event = report.events.filter(action="schedule").get()
    assert (event.old, event.new, event.is_public, event.data) == (
        "assigned", "scheduled", True, {"on": on.isoformat()})
    report = services.start(report.pk, actor=officer, now=now + timedelta(days=3))
    assert report.status == Status.IN_PROGRESS


def test_it_refuses_to_schedule_in_the_past_or_from_submitted(make_report, desk, now):
    report = make_report()
    with pytest.raises(workflow.IllegalTransition):
        services.schedule(report.pk, actor=desk, now=now, on=(now + timedelta(days=1)).date())
    services.verify(report.pk, actor=desk, now=now)
    with pytest.raises(ValidationError):
        services.schedule(report.pk, actor=desk, now=now, on=date(2020, 1, 1))
    report.refresh_from_db()
    assert report.status == Status.VERIFIED and report.scheduled_for is None


def test_it_reprioritises_with_a_reason_and_records_old_and_new(make_report, desk, now):
    report = make_report()
    with pytest.raises(ValidationError):
        services.reprioritise(report.pk, actor=desk, now=now, priority=1, reason=" ")
    report = services.reprioritise(report.pk, actor=desk, now=now, priority=1,
                                   reason="Dekat sekolah", is_public=True)
    assert report.priority == 1
    event = report.events.get(kind=ReportEvent.Kind.PRIORITY)
    assert (event.old, event.new, event.note, event.actor, event.is_public) == (
        "3", "1", "Dekat sekolah", desk, True)


def test_it_lets_only_the_desk_change_priority_or_deadline(make_report, desk, officer, now):
    report = assigned(make_report, desk, officer, now)
    with pytest.raises(NotAllowed):
        services.reprioritise(report.pk, actor=officer, now=now, priority=1, reason="x")
    with pytest.raises(NotAllowed):
        services.change_deadline(report.pk, actor=officer, now=now,
                                 due_at=now + timedelta(days=9), reason="x")
    assert not report.events.filter(kind__in=("priority", "deadline")).exists()


def test_it_moves_the_deadline_with_a_reason_and_restarts_the_ladder(make_report, desk, now):
    report = make_report()
    old_due = report.due_at
    report.__class__.objects.filter(pk=report.pk).update(escalation_level=2)
    new_due = now + timedelta(days=10)
    report = services.change_deadline(report.pk, actor=desk, now=now, due_at=new_due,
                                      reason="Menunggu material")
    report.refresh_from_db()
    assert report.due_at == new_due and report.escalation_level == 0
    event = report.events.get(kind=ReportEvent.Kind.DEADLINE)
    assert (event.old, event.new, event.is_public) == (
        old_due.isoformat(), new_due.isoformat(), False)
    with pytest.raises(ValidationError):
        services.change_deadline(report.pk, actor=desk, now=now, due_at=now, reason="x")


def test_it_runs_an_action_once_per_key_and_replays_the_answer(make_report, desk, officer,
                                                                 now):
    report = assigned(make_report, desk, officer, now)

    def start():
        return services.start(report.pk, actor=officer, now=now)

    first, replayed = services.once(f"act:{officer.pk}", "k-1", report.pk, start, now=now)
    assert first.status == Status.IN_PROGRESS and not replayed
    again, replayed = services.once(f"act:{officer.pk}", "k-1", report.pk, start, now=now)
    assert again.pk == report.pk and replayed
    assert report.events.filter(action="start").count() == 1
    assert IdempotencyKey.objects.filter(key="k-1").count() == 1


def test_it_keeps_no_key_when_the_action_fails(make_report, desk, officer, now):
    report = make_report()

    def resolve():
        return services.resolve(report.pk, actor=officer, now=now, note="ok",
                                photos=[jpeg_bytes()])

    with pytest.raises(workflow.TransitionError):
        services.once(f"act:{officer.pk}", "k-2", report.pk, resolve, now=now)
    assert not IdempotencyKey.objects.filter(key="k-2").exists()


def test_it_stores_how_far_from_the_report_the_proof_photo_was_taken(make_report, desk,
                                                                       officer, now):
    report = assigned(make_report, desk, officer, now)  # at -10.17, 123.60
    services.resolve(report.pk, actor=officer, now=now, note="Sudah bersih",
                     photos=[jpeg_bytes(exif_gps=True), jpeg_bytes()])
    distances = list(Photo.objects.filter(report=report, kind=Photo.Kind.PROOF)
                     .order_by("pk").values_list("gps_distance_m", flat=True))
    # The test camera's GPS says -10.1667, 123.6: about 370 m north; the second has none.
    assert 360 < distances[0] < 380 and distances[1] is None
