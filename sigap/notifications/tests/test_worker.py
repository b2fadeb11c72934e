"""The background worker runs for real: a Huey consumer thread on SQLite (or Redis when
REDIS_URL is set) picks up the queued SLA poller and notifications and delivers them."""

import signal
import time
import uuid
from urllib.parse import urlsplit
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from sigap.notifications.models import Notification
from sigap.reports import outbox, services
from sigap.reports.models import Report


@pytest.fixture
def real_worker(tmp_path):
    """Switch Huey out of immediate mode onto a private queue and run a consumer thread."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import RedisStorage

    from sigap.lib.hueysqlite import NormalSyncSqliteStorage

    saved_signals = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM,
                                                      signal.SIGHUP)}
    HUEY.immediate = False
    outbox._scheduled_until = 0.0  # a drain scheduled on an earlier test's queue is gone
    name = f"sigap-test-{uuid.uuid4().hex[:8]}"
    if settings.REDIS_URL:
        # The queue's database, as the settings lay it out (the cache's is the one before).
        url = urlsplit(settings.REDIS_URL)
        db = int(url.path.strip("/") or 0)
        HUEY.storage = RedisStorage(name, url=url._replace(path=f"/{(db + 1) % 16}").geturl())
    else:
        HUEY.storage = NormalSyncSqliteStorage(name, filename=str(tmp_path / "huey.db"))
    kind = type(HUEY.storage).__name__
    consumer = HUEY.create_consumer(workers=2, worker_type="thread", periodic=False,
                                    initial_delay=0.02, max_delay=0.2,
                                    check_worker_health=False)
    consumer.start()
    try:
        yield kind
    finally:
        consumer.stop(graceful=True)
        HUEY.storage.flush_queue()
        for sig, handler in saved_signals.items():
            signal.signal(sig, handler)
        HUEY.immediate = True


def _wait_for(check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_it_escalates_and_delivers_through_a_real_worker(
        real_worker, kupang, make_report, make_user, mailoutbox, settings):
    from sigap.notifications.tasks import escalate_sla

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert real_worker == ("RedisStorage" if settings.REDIS_URL else "NormalSyncSqliteStorage")
    make_user("head", agency="DLHK", email="kepala@dlhk.id")  # receives the escalation
    reporter = make_user("citizen", email="warga@contoh.id")
    dispatcher = make_user("dispatcher", agency="DLHK")
    week_ago = timezone.now() - timedelta(hours=100)  # SAMPAH: 72 h, so past 100%
    report = make_report(at=week_ago, reporter=reporter)

    # A committed status change queues its notification for the worker.
    services.verify(report.pk, actor=dispatcher, now=timezone.now())
    # The periodic poller, queued as the scheduler would queue it.
    escalate_sla()

    assert _wait_for(lambda: Notification.objects.filter(state="sent").count() == 2), \
        list(Notification.objects.values_list("recipient", "state", "last_error"))
    kinds = list(report.events.filter(kind__in=["reminder", "escalation"])
                 .values_list("kind", flat=True))
    assert kinds == ["reminder", "escalation"]  # 75% and 100% passed while nobody looked
    assert Report.objects.get(pk=report.pk).escalation_level == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["kepala@dlhk.id", "warga@contoh.id"]
    assert set(Notification.objects.values_list("purpose", flat=True)) == {
        "status", "escalation"}
