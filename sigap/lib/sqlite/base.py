"""Django's SQLite backend, with writers queueing on a lock file instead of polling.

SQLite allows one writer at a time. A writer that finds the database busy sleeps and retries
(1, 2, 5, 10 … 100 ms), so under a burst of concurrent POSTs some requests lose the race
again and again: the tail latency was writers sleeping, not working. Here every write
transaction (BEGIN IMMEDIATE, as configured in settings) first takes an exclusive `flock` on
`<database>-writer.lock`, waiting in naps of at most 4 ms, so writers run one after another
instead of backing off for up to 100 ms. A writer waits no longer than the busy timeout
(OPTIONS "timeout") and then fails with "database is locked", as SQLite would; the busy
timeout stays the safety net for writers that do not take the lock (other tools).

Each connection (one per thread) opens its own lock file descriptor, so threads of one
process exclude each other too. A process that dies releases its lock with its descriptors.

SQLite's own checkpoint (copying the write-ahead log back into the database file, every
1,000 pages) runs inside the COMMIT that crosses the threshold, so with the lock held: every
other writer waited for it, and the longer the larger the file (the copied pages lie further
apart). Here each connection checkpoints (PASSIVE) every SIGAP_SQLITE_CHECKPOINT_EVERY
commits, right after releasing the lock; SQLite's threshold is raised to 10,000 pages as a
safety net for writes that do not commit through here. Measured in docs/benchmarks.md.
"""

from __future__ import annotations

import fcntl
import os
import time

from django.conf import settings
from django.db import OperationalError
from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_lock_fd: int | None = None
    _writer_locked = False
    _commits_unchecked = 0

    def _lock_path(self) -> str | None:
        name = str(self.settings_dict.get("NAME") or "")
        if not name or self.is_in_memory_db():
            return None
        return name + "-writer.lock"

    def _start_transaction_under_autocommit(self):
        path = self._lock_path()
        if path is not None and self.transaction_mode in ("IMMEDIATE", "EXCLUSIVE"):
            if self._writer_lock_fd is None:
                self._writer_lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            self._take_writer_lock()
            self._writer_locked = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _take_writer_lock(self):
        """Wait for the writers' lock no longer than SQLite's busy timeout (OPTIONS "timeout"),
        then fail as SQLite does ("database is locked") rather than wait forever."""
        try:  # the usual case: free, or released within the first few milliseconds
            fcntl.flock(self._writer_lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        deadline = time.monotonic() + float(self.settings_dict["OPTIONS"].get("timeout", 5))
        pause = 0.0005
        while True:
            time.sleep(pause)
            try:
                fcntl.flock(self._writer_lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise OperationalError(
                        "database is locked (the writers' lock was not free in time)") from None
            pause = min(pause * 2, 0.004)  # short naps: the next writer starts within 4 ms

    def _release_writer_lock(self):
        if self._writer_locked:
            self._writer_locked = False
            fcntl.flock(self._writer_lock_fd, fcntl.LOCK_UN)

    def _commit(self):
        try:
            super()._commit()
        finally:
            self._release_writer_lock()
        self._checkpoint_now_and_then()

    def _checkpoint_now_and_then(self):
        """Every SIGAP_SQLITE_CHECKPOINT_EVERY commits of this connection, copy the WAL back
        into the database file (PASSIVE: readers and writers go on meanwhile), the writer
        lock already released."""
        every = settings.SIGAP_SQLITE_CHECKPOINT_EVERY
        if every <= 0 or self.connection is None:
            return
        self._commits_unchecked += 1
        if self._commits_unchecked >= every:
            self._commits_unchecked = 0
            try:
                self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except base.Database.Error:  # e.g. another process is checkpointing: next time
                pass

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer_lock()
            if self._writer_lock_fd is not None:
                os.close(self._writer_lock_fd)
                self._writer_lock_fd = None
