"""The story a demo history tells, as a few shares, and whether two histories tell the same.

A history of 30,000 reports and one of 1,000,000 should differ only in size: the same mix of
categories, the same months, the same kelurahan, the same outcomes. `shape` reads those
shares with database aggregation; `differences` lists where two shapes part by more than a
tolerance (absolute difference of shares).
"""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import ExtractMonth

from sigap.reports.models import Report

TOLERANCE = {"category": 0.01, "month": 0.01, "kelurahan": 0.006, "status": 0.02,
             "source": 0.01}


def _shares(rows) -> dict[str, float]:
    rows = [(str(key), n) for key, n in rows]
    total = sum(n for _key, n in rows) or 1
    return {key: n / total for key, n in sorted(rows)}


def shape(city) -> dict[str, dict[str, float]]:
    """Return the shares of reports by category, local month, kelurahan, status and source."""
    reports = Report.objects.filter(city=city).order_by()

    def by(field):
        return _shares(reports.values_list(field).annotate(n=Count("pk")))

    months = reports.annotate(m=ExtractMonth("created_at", tzinfo=city.tz)).values_list("m")
    return {"category": by("category__code"), "month": _shares(months.annotate(n=Count("pk"))),
            "kelurahan": by("kelurahan__code"), "status": by("status"), "source": by("source")}


def differences(a: dict, b: dict, tolerance: dict | None = None) -> list[str]:
    """Return the shares that differ by more than the tolerance, as readable lines."""
    tolerance = tolerance or TOLERANCE
    out = []
    for part, limit in tolerance.items():
        left, right = a.get(part, {}), b.get(part, {})
        for key in sorted(set(left) | set(right)):
            gap = abs(left.get(key, 0.0) - right.get(key, 0.0))
            if gap > limit:
                out.append(f"{part} {key}: {left.get(key, 0.0):.4f} against "
                           f"{right.get(key, 0.0):.4f} (tolerance {limit})")
    return out
