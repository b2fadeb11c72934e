"""A version number of the public report data, bumped inside every transaction that changes it.

Public read endpoints (Open311 lists and details) cache their answers under the current
version, so a cached answer is never stale. Nobody calls bump() by hand: the models a public
answer shows write through sigap.lib.publicdata, which sends
lib.signals.public_data_changed once per transaction (connected in ReportsConfig.ready()).
"""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.db.models import F

from sigap.reports.models import DataVersion

ROW = 1
_SELECT = f"SELECT value FROM {DataVersion._meta.db_table} WHERE id = %s"


def version() -> int:
    """Return the current data version (0 before the first change).

    Every cached public read runs this one query, so it goes through Django's cursor: the
    queryset spelling built and compiled a query per request, ~0.5 ms of CPU against ~0.03 ms
    for the statement itself (bench/sidebyside.py, docs/benchmarks.md).
    """
    with connection.cursor() as cursor:
        cursor.execute(_SELECT, [ROW])
        row = cursor.fetchone()
    return row[0] if row else 0


def bump(using: str = "default") -> None:
    """Invalidate every cached public answer (inside the writing transaction)."""
    rows = DataVersion.objects.using(using).filter(pk=ROW)
    if rows.update(value=F("value") + 1):
        return
    try:
        with transaction.atomic(using=using):  # the first change ever creates the row
            DataVersion.objects.using(using).create(pk=ROW, value=1)
    except IntegrityError:  # another transaction created it meanwhile
        rows.update(value=F("value") + 1)
