"""The outbox of recorded events (reports.outbox): written with the event, drained by the
worker, coalesced kicks; a queue that is down no longer turns a stored report into an error."""

from unittest import mock

import pytest
from django.db import connection
from huey.contrib.djhuey import HUEY

from sigap.notifications.models import Notification
from sigap.reports import outbox, services, tasks
from sigap.reports.models import Outbox, ReportEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch):
    """A real (not immediate) queue whose scheduling is recorded, and a fresh process state."""
    monkeypatch.setattr(HUEY, "immediate", False)
    monkeypatch.setattr(outbox, "_scheduled_until", 0.0)
    calls = []
    monkeypatch.setattr(tasks.drain_outbox, "schedule",
                        lambda *a, **kw: calls.append(kw.get("delay")))
    return calls


def test_every_recorded_event_is_in_the_outbox_with_its_change(make_report, make_user, now):
    # No commit callbacks run in this test: nothing has been drained.
    report = make_report()
    services.verify(report.pk, actor=make_user("dispatcher", agency="DLHK"), now=now)
    events = list(ReportEvent.objects.filter(report=report).order_by("pk")
                  .values_list("pk", flat=True))
    assert len(events) == 2
    assert list(Outbox.objects.order_by("pk").values_list("event_id", flat=True)) == events


def test_a_failed_change_leaves_no_outbox_row(make_report):
    with pytest.raises(Exception):  # noqa: B017 - outside the city: a ValidationError
        make_report(lat=0, lng=0)
    assert not Outbox.objects.exists() and not ReportEvent.objects.exists()


def test_the_drain_handles_each_event_once_and_empties_the_outbox(make_report, make_user,
                                                                 now):
    dispatcher = make_user("dispatcher", agency="DLHK")
    officer = make_user("officer", agency="DLHK", email="petugas@sigap.test")
    report = make_report()
    services.verify(report.pk, actor=dispatcher, now=now)
    services.assign(report.pk, actor=dispatcher, now=now, officer=officer)
    assert Outbox.objects.count() == 3  # created, verified, assigned
    assert outbox.drain(now=now) == 3
    assert not Outbox.objects.exists()
    sent = list(Notification.objects.values_list("destination", "purpose"))
    assert sent == [("petugas@sigap.test", "assignment")]
    assert outbox.drain(now=now) == 0 and Notification.objects.count() == 1


def test_an_event_that_fails_stays_and_the_others_go_through(make_report, make_user, now):
    first, second = make_report(), make_report()
    failing = ReportEvent.objects.get(report=first).pk
    from sigap.notifications import services as notifications

    original = notifications.plan_notifications

    def handle(event_ids, *, now):
        if failing in event_ids:
            raise RuntimeError("mail server misconfigured")
        return original(event_ids, now=now)

    with mock.patch.object(notifications, "plan_notifications", handle):
        assert outbox.drain(now=now) == 1  # the batch fails, then each event on its own
    assert list(Outbox.objects.values_list("event_id", flat=True)) == [failing]
    assert outbox.drain(now=now) == 1  # fixed: the next drain handles it
    assert not Outbox.objects.exists() and second.pk


def test_kicks_are_coalesced_into_one_drain_per_delay(queued):
    outbox.kick(clock=lambda: 100.0)
    outbox.kick(clock=lambda: 100.0 + outbox.DELAY / 2)
    assert queued == [outbox.DELAY]
    outbox.kick(clock=lambda: 100.0 + outbox.DELAY)
    assert queued == [outbox.DELAY, outbox.DELAY]


def test_a_kick_that_cannot_reach_the_queue_is_retried_by_the_next(monkeypatch, queued):
    def down(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks.drain_outbox, "schedule", down)
    outbox.kick(clock=lambda: 5.0)  # logged, not raised
    monkeypatch.setattr(tasks.drain_outbox, "schedule", lambda *a, **kw: queued.append(1))
    outbox.kick(clock=lambda: 5.01)
    assert queued == [1]


@pytest.mark.django_db(transaction=True)
def test_a_queue_that_is_down_does_not_fail_a_stored_report(monkeypatch, queued, client,
                                                            kupang, category, now):
    from sigap.open311.models import ApiKey

    def down(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(tasks.drain_outbox, "schedule", down)
    _, key = ApiKey.issue("Aplikasi uji", now=now, rate_per_minute=100)
    category("MACET")
    response = client.post("/open311/v2/requests.json", {
        "api_key": key, "service_code": "MACET", "lat": "-10.17", "long": "123.60",
        "description": "Macet"})
    assert response.status_code == 200, response.content
    ticket = response.json()[0]["service_request_id"]
    event = ReportEvent.objects.get(report__ticket=ticket)
    assert list(Outbox.objects.values_list("event_id", flat=True)) == [event.pk]
    monkeypatch.setattr(HUEY, "immediate", True)
    assert tasks.drain_outbox_periodically.call_local() == 1  # the safety net
    assert not Outbox.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_row_another_drain_holds_is_skipped(queued, make_report, now):
    from django.db import connections

    make_report()
    row = Outbox.objects.get()
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM reports_outbox WHERE id = %s FOR UPDATE", [row.pk])
        assert outbox.drain(now=now) == 0  # not waited for, not handled twice
        other.rollback()
        assert outbox.drain(now=now) == 1
    finally:
        other.close()


def test_the_admin_lists_what_is_still_to_be_handled(make_report, admin_client):
    from django.test.utils import CaptureQueriesContext

    reports = [make_report() for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get("/admin/reports/outbox/")
    body = response.content.decode()
    assert response.status_code == 200
    assert all(f'<a href="/admin/reports/report/{r.pk}/change/">{r.ticket}</a>' in body
               for r in reports)  # each ticket leads to its report
    # One query for the rows with their events and reports, whatever their number.
    assert sum("reports_outbox" in q["sql"] and "reports_report" in q["sql"]
               for q in queries) == 1
    page = admin_client.get(f"/admin/reports/report/{reports[0].pk}/change/")
    assert page.status_code == 200 and reports[0].ticket in page.content.decode()
    assert admin_client.get("/admin/reports/outbox/add/").status_code == 403
    assert admin_client.get("/admin/reports/reportevent/add/").status_code == 403  # same rule
    outbox.drain(now=reports[0].created_at)
    body = admin_client.get("/admin/reports/outbox/").content.decode()
    assert not any(r.ticket in body for r in reports)
