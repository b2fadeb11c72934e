"""A version number of the public report data, bumped by every change to reports.

Public read endpoints (Open311 lists and details) cache their answers under the current
version, so a cached answer is never stale: every service in reports.services that changes
public data calls bump() inside its transaction, and the next read recomputes.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

ROW = 1


def version() -> int:
    """Return the current data version (0 before the first change)."""
    from sigap.reports.models import DataVersion

    return DataVersion.objects.filter(pk=ROW).values_list("value", flat=True).first() or 0


def bump() -> None:
    """Invalidate every cached public answer (call inside the writing transaction)."""
    from sigap.reports.models import DataVersion

    rows = DataVersion.objects.filter(pk=ROW)
    if rows.update(value=F("value") + 1):
        return
    try:
        with transaction.atomic():  # the first change ever creates the row
            DataVersion.objects.create(pk=ROW, value=1)
    except IntegrityError:  # another transaction created it meanwhile
        rows.update(value=F("value") + 1)
