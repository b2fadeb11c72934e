"""The worker in batches (issue 15, item 7): one drain transaction and one INSERT of
notifications for many events, one delivery job per batch, one claim and one record per
batch of messages; every message still sent once, citizens' updates still coalesced."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sigap.notifications import services, tasks
from sigap.notifications.models import Notification
from sigap.reports import outbox
from sigap.reports import services as reports
from sigap.reports.models import Outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_user):
    return make_user("dispatcher", agency="DLHK")


@pytest.fixture
def officer(make_user):
    return make_user("officer", agency="DLHK", email="petugas@sigap.test")


def assigned(make_report, desk, officer, now, n):
    made = []
    for _ in range(n):
        report = make_report()
        reports.verify(report.pk, actor=desk, now=now)
        reports.assign(report.pk, actor=desk, now=now, officer=officer)
        made.append(report)
    return made


def test_it_drains_a_batch_in_one_transaction_and_one_insert(make_report, desk, officer, now,
                                                           django_capture_on_commit_callbacks):
    assigned(make_report, desk, officer, now, 4)
    assert Outbox.objects.count() == 12
    with CaptureQueriesContext(connection) as queries, \
            django_capture_on_commit_callbacks() as callbacks:
        assert outbox.drain(now=now) == 12
    sql = [q["sql"] for q in queries]
    assert sum(s.startswith('INSERT') and '"notifications_notification"' in s for s in sql) == 1
    assert sum(s.startswith('DELETE FROM "reports_outbox"') for s in sql) == 1
    # One transaction for the batch (a savepoint inside the test's own transaction).
    assert sum(s.startswith("SAVEPOINT") for s in sql) == 1
    assert Notification.objects.filter(destination="petugas@sigap.test").count() == 4
    assert not Outbox.objects.exists()
    # One delivery job for the batch's four assignment messages, not one per message.
    assert len(callbacks) == 1


def test_a_batch_is_one_delivery_job_and_each_message_goes_once(
        make_report, desk, officer, now, mailoutbox, monkeypatch,
        django_capture_on_commit_callbacks):
    jobs = []
    monkeypatch.setattr(tasks, "deliver_notifications",
                        lambda ids: jobs.append(list(ids)) or services.deliver_many(ids, now=now))
    assigned(make_report, desk, officer, now, 3)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.drain(now=now)
    assert len(jobs) == 1
    ids = sorted(Notification.objects.filter(purpose="assignment").values_list("pk", flat=True))
    assert sorted(pk for job in jobs for pk in job) == ids
    assert len(mailoutbox) == 3
    assert services.deliver_many(ids, now=now) == {}  # claimed once: never sent twice
    outbox.drain(now=now)
    assert len(mailoutbox) == 3
    assert set(Notification.objects.filter(purpose="assignment")
               .values_list("state", flat=True)) == {"sent"}


def test_a_citizens_updates_in_one_batch_are_one_message(make_report, make_user, desk, officer,
                                                         now, mailoutbox, settings):
    settings.SIGAP_NOTIFY_COALESCE_SECONDS = 30
    reporter = make_user("citizen", email="warga@contoh.id")
    report = make_report(reporter=reporter)
    reports.verify(report.pk, actor=desk, now=now)
    reports.assign(report.pk, actor=desk, now=now, officer=officer)
    outbox.drain(now=now)
    citizen = list(Notification.objects.filter(destination="warga@contoh.id").order_by("pk"))
    assert len(citizen) == 2 and all(n.state == "pending" for n in citizen)
    states = services.deliver_many([n.pk for n in citizen], now=now + timedelta(seconds=31))
    assert states == {citizen[0].pk: "coalesced", citizen[1].pk: "sent"}
    to_citizen = [m for m in mailoutbox if m.to == ["warga@contoh.id"]]
    assert len(to_citizen) == 1
    assert Notification.objects.get(pk=citizen[0].pk).sent_at is not None  # told in the 2nd


def test_the_window_end_is_one_scheduled_job(make_report, make_user, desk, now, settings,
                                             monkeypatch, django_capture_on_commit_callbacks):
    settings.SIGAP_NOTIFY_COALESCE_SECONDS = 30
    scheduled = []
    monkeypatch.setattr(tasks, "_schedule", lambda ids, delay: scheduled.append((ids, delay)))
    for email in ("a@contoh.id", "b@contoh.id"):
        report = make_report(reporter=make_user("citizen", email=email))
        reports.verify(report.pk, actor=desk, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        outbox.drain(now=now)
    ids = sorted(Notification.objects.values_list("pk", flat=True))
    assert [(sorted(i), d) for i, d in scheduled] == [(ids, 30 + tasks.LATE)]


def test_a_row_removed_meanwhile_is_not_handled_twice(make_report, desk, officer, now):
    assigned(make_report, desk, officer, now, 1)
    rows = list(Outbox.objects.values_list("pk", "event_id"))
    writers = outbox._prepare([e for _, e in rows], now)  # read, as a second drain would
    assert outbox.drain(now=now) == 3  # the first drain handles them
    assert outbox._commit(rows, writers) == 0  # the second finds them gone: writes nothing
    assert Notification.objects.count() == 1


def test_a_failed_message_in_a_batch_is_retried_alone(make_report, desk, officer, now,
                                                      monkeypatch, mailoutbox):
    from sigap.notifications import channels

    assigned(make_report, desk, officer, now, 2)
    outbox.drain(now=now)  # the notifications, not yet delivered (no commit in this test)
    ids = list(Notification.objects.order_by("pk").values_list("pk", flat=True))
    real, calls = channels.send_email, []

    def flaky(to, subject, text, html=None):
        calls.append(to)
        if len(calls) == 1:
            raise channels.DeliveryError("timeout")
        return real(to, subject, text, html)

    monkeypatch.setattr(channels, "send_email", flaky)
    states = services.deliver_many(ids, now=now)
    assert states == {ids[0]: "pending", ids[1]: "sent"}
    failed = Notification.objects.get(pk=ids[0])
    assert failed.attempts == 1 and failed.next_attempt_at == now + services.backoff(1)
    assert services.retry_due(now + services.backoff(1)) == [ids[0]]
    assert Notification.objects.get(pk=ids[0]).state == "sent"
