"""SQLite writers queue on a lock file (sigap/lib/sqlite) instead of polling the database."""

import fcntl
import os
import threading

import pytest
from django.db import connection, connections, transaction

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
