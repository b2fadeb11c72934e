"""SQLite writers queue on a lock file (sigap/lib/sqlite) instead of polling the database."""

import fcntl
import os
import threading

import pytest
from django.db import connection, connections, transaction
from django.test import override_settings

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the lock is SQLite's backend"),
]


def lock_is_free() -> bool:
    fd = os.open(connection.settings_dict["NAME"] + "-writer.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing releases a lock taken here
    return True


def test_it_holds_the_lock_for_a_write_transaction_only():
    from sigap.reports import freshness

    assert lock_is_free()
    with transaction.atomic():
        freshness.bump()
        assert not lock_is_free()
    assert lock_is_free()
    with pytest.raises(RuntimeError), transaction.atomic():
        freshness.bump()
        assert not lock_is_free()
        raise RuntimeError("rolled back")
    assert lock_is_free()


def test_it_serialises_writers_without_the_busy_timeout():
    """With SQLite's busy wait switched off, concurrent BEGIN IMMEDIATE would fail at once
    ("database is locked"); queued on the lock file, every one of them commits."""
    from sigap.reports import freshness

    freshness.bump()
    start = freshness.version()
    errors = []

    def writer():
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 0")
            for _ in range(25):
                with transaction.atomic():
                    freshness.bump()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert freshness.version() == start + 8 * 25


@override_settings(SIGAP_SQLITE_CHECKPOINT_EVERY=3)
def test_it_checkpoints_every_n_commits_with_the_lock_released():
    """The write-ahead log is copied back by the committing connection every N commits, after
    the lock is released (SQLite's own checkpoint would run inside the COMMIT, lock held)."""
    from sigap.reports import freshness

    connection.ensure_connection()
    connection._commits_unchecked = 0
    checkpoints = []

    def trace(sql):
        if "wal_checkpoint" in sql:
            checkpoints.append(lock_is_free())

    connection.connection.set_trace_callback(trace)
    try:
        for _ in range(7):
            with transaction.atomic():
                freshness.bump()
    finally:
        connection.connection.set_trace_callback(None)
    assert checkpoints == [True, True]  # after the 3rd and the 6th commit, lock free


def test_sqlites_own_checkpoint_is_only_the_safety_net():
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == (10000 if settings.SIGAP_SQLITE_CHECKPOINT_EVERY else 1000)


def test_a_writer_waits_for_the_lock_no_longer_than_the_busy_timeout(monkeypatch):
    """A writer that cannot get the lock fails like SQLite ("database is locked") after the
    configured timeout, instead of waiting forever behind a stuck writer."""
    import time

    from django.db import OperationalError

    from sigap.reports import freshness

    monkeypatch.setitem(connection.settings_dict["OPTIONS"], "timeout", 0.3)
    holder = os.open(connection.settings_dict["NAME"] + "-writer.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)  # a stuck writer elsewhere
    try:
        started = time.monotonic()
        with pytest.raises(OperationalError, match="locked"), transaction.atomic():
            freshness.bump()
        waited = time.monotonic() - started
        assert 0.3 <= waited < 2.0
    finally:
        os.close(holder)
    with transaction.atomic():  # free again: the next writer goes through
        freshness.bump()
