"""A version number of the public report data, bumped by every change to reports.

Public read endpoints (Open311 lists and details) cache their answers under the current
version, so a cached answer is never stale: every service in reports.services that changes
public data calls bump() inside its transaction, and the next read recomputes.
"""

from __future__ import annotations

from sigap.lib import rawsql

ROW = 1


def version() -> int:
    """Return the current data version (0 before the first change).

    Read on every cached public request, so it is one plain statement on the primary key
    (the ORM's query building cost more than the database did).
    """
    from sigap.reports.models import DataVersion

    row = rawsql.fetch_one(DataVersion, "SELECT value FROM {table} WHERE id = %s", [ROW])
    return row[0] if row else 0


def bump_sql(source: str | None = None) -> str:
    """The statement that bumps the version (creating its row at 1 if missing), with one
    parameter, ROW; with `source`, once per row of that WITH clause (reports.intake)."""
    from sigap.reports.models import DataVersion

    return rawsql.increment_sql(DataVersion, ("id",), "value", source)


def bump() -> None:
    """Invalidate every cached public answer (call inside the writing transaction)."""
    rawsql.fetch_one(None, bump_sql(), [ROW])
