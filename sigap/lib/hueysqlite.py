"""Huey on SQLite with the same durability trade-off as Sigap's own database.

Huey's SqliteStorage leaves `synchronous` at SQLite's default (FULL): every enqueue waits for
the disk. In WAL mode NORMAL is safe against corruption and loses at most the last commits
on a power cut (never on a process crash) — the setting Sigap's database already uses — and
it made each queued job cost a fraction of what it did (docs/benchmarks.md). The busy
timeout also matches Sigap's (30 s), so a burst of writers waits instead of failing.
"""

from __future__ import annotations

from huey import Huey
from huey.storage import SqliteStorage

from sigap.lib.hueycluster import ClusterHueyMixin


class NormalSyncSqliteStorage(SqliteStorage):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timeout", 30)
        super().__init__(*args, **kwargs)

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


class SqliteHuey(ClusterHueyMixin, Huey):
    storage_class = NormalSyncSqliteStorage
