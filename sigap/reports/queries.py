"""Read-only questions the desk asks about reports (no writes: services do those).

`duplicate_candidates` answers "which open reports is this new one probably a repeat of?".
Its geometry is one function, `_within`: a bounding-box prefilter in the database (the
report_lat_lng index) and the exact great-circle distance on the few rows it returns. When
the shared `nearby()` lands (sigap/reports/nearby.py / sigap/lib/geo.py, issue 23 merge),
`_within` is the one place that calls it instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sigap.lib.geo import bbox_around, haversine_m
from sigap.reports import workflow
from sigap.reports.models import Report

MAX_SUGGESTIONS = 5
_SCAN = 200  # rows read from the box at most: a new report's 150 m hold far fewer


@dataclass
class Candidate:
    report: Report
    distance_m: float
    age: timedelta
    score: float  # 0 = same place, same moment; lower ranks first


def _within(qs, lat: float, lng: float, radius_m: float) -> list[tuple[Report, float]]:
    """Return (report, metres) for the rows of `qs` within `radius_m` of the point (one
    query: the box, then the exact distance)."""
    min_lat, min_lng, max_lat, max_lng = bbox_around(lat, lng, radius_m)
    out = []
    for other in qs.in_bbox(min_lat, min_lng, max_lat, max_lng)[:_SCAN]:
        distance = haversine_m(lat, lng, other.lat, other.lng)
        if distance <= radius_m:
            out.append((other, distance))
    return out


def duplicate_candidates(report: Report, *, now: datetime, radius_m: float, days: int,
                         limit: int = MAX_SUGGESTIONS) -> list[Candidate]:
    """Return the open reports that `report` may repeat: handled by the same agency (the
    same or a related category), within `radius_m`, created in the `days` before it (or
    since), ranked by distance and age together (each as a share of its window)."""
    window = timedelta(days=days)
    since = min(report.created_at, now) - window
    qs = (Report.objects.filter(agency_id=report.agency_id, city_id=report.city_id,
                                status__in=workflow.OPEN, created_at__gte=since)
          .exclude(pk=report.pk).for_list()
          .only("ticket", "status", "priority", "created_at", "lat", "lng", "address",
                "description", "category__name_id", "category__name_en",
                "category__agency_id", "agency__name", "agency__short_name",
                "kelurahan__name", "kecamatan__name", "team__name", "officer__username",
                "officer__display_name", "officer__first_name", "officer__last_name"))
    found = []
    for other, distance in _within(qs, report.lat, report.lng, radius_m):
        age = abs(report.created_at - other.created_at)
        same = 0.0 if other.category_id == report.category_id else 0.5
        score = distance / radius_m + age / window + same
        found.append(Candidate(other, round(distance), age, score))
    found.sort(key=lambda c: (c.score, c.report.pk))
    return found[:limit]
