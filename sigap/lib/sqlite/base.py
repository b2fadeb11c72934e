"""Django's SQLite backend, with writers queueing on a lock file instead of polling.

SQLite allows one writer at a time. A writer that finds the database busy sleeps and retries
(1, 2, 5, 10 … 100 ms), so under a burst of concurrent POSTs some requests lose the race
again and again: the tail latency was writers sleeping, not working. Here every write
transaction (BEGIN IMMEDIATE, as configured in settings) first takes an exclusive `flock` on
`<database>-writer.lock`; the kernel hands the lock to the next waiter the moment it is
released, so writers run one after another without sleeping. The busy timeout stays as the
safety net for writers that do not take the lock (other tools, autocommit statements).

Each connection (one per thread) opens its own lock file descriptor, so threads of one
process exclude each other too. A process that dies releases its lock with its descriptors.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_lock_fd: int | None = None
    _writer_locked = False

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
            fcntl.flock(self._writer_lock_fd, fcntl.LOCK_EX)
            self._writer_locked = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_writer_lock()
            raise

    def _release_writer_lock(self):
        if self._writer_locked:
            self._writer_locked = False
            fcntl.flock(self._writer_lock_fd, fcntl.LOCK_UN)

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_writer_lock()

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
