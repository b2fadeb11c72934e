"""A version number of the public report data, bumped by every change to reports.

Public read endpoints (Open311 lists and details) cache their answers under the current
version, so a cached answer is never stale: every service in reports.services that changes
public data calls bump() inside its transaction, and the next read recomputes.
"""

from __future__ import annotations

from django.db.models import F

ROW = 1


def version() -> int:
    """Return the current data version (0 before the first change)."""
    from sigap.reports.models import DataVersion

    return DataVersion.objects.filter(pk=ROW).values_list("value", flat=True).first() or 0


def bump() -> None:
    """Invalidate every cached public answer (call inside the writing transaction)."""
    from sigap.reports.models import DataVersion

    if not DataVersion.objects.filter(pk=ROW).update(value=F("value") + 1):
        DataVersion.objects.get_or_create(pk=ROW, defaults={"value": 1})
