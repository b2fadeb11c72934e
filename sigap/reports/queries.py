"""Questions about reports that more than one door asks, answered once (STYLE.md §22).

`nearby` — the reports around a point, nearest first: the citizen form's "already
reported here?", the WhatsApp conversation's offer to support one, the desk's duplicate
suggestions. (`reports.nearby` is another question: the newest reports in a circle, paged,
for the public lists.)

`duplicate_candidates` — the open reports a new one probably repeats (the desk's report
page), from `nearby`, ranked by distance and age together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Value

from sigap.lib.geo import bbox_around, haversine_m
from sigap.reports.models import Report
from sigap.reports.workflow import OPEN


def nearby(city, lat: float, lng: float, *, radius_m: float, categories=None,
           statuses=OPEN, since: datetime | None = None, limit: int,
           among=None) -> list[tuple[float, Report]]:
    """Return up to `limit` reports of `city` within `radius_m` metres of (lat, lng), as
    (distance in metres, report), nearest first.

    `categories`: anything `category__in` takes (rows, ids, a queryset), None for every
    category; `statuses`: None for any status; `since`: only reports created then or later;
    `among`: the reports the caller may show — the public ones by default
    (`Report.objects.public()`); the desk passes `visibility.office_reports(user)`.

    The database keeps the circle's bounding box and ranks by the flat (equirectangular)
    distance, which at city scale orders as the great-circle one does, so the first `limit`
    rows are the nearest whatever the number in the box; their exact distance (haversine)
    then drops the box's corners and gives the figure shown.
    """
    qs = Report.objects.public() if among is None else among
    qs = qs.filter(city=city)
    if categories is not None:
        qs = qs.filter(category__in=categories)
    if statuses is not None:
        qs = qs.filter(status__in=list(statuses))
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    min_lat, min_lng, max_lat, max_lng = bbox_around(lat, lng, radius_m)
    k = math.cos(math.radians(lat))  # a degree of longitude, in degrees of latitude, here
    dlat = F("lat") - Value(lat)
    dlng = (F("lng") - Value(lng)) * Value(k)
    rows = (qs.in_bbox(min_lat, min_lng, max_lat, max_lng)
            .annotate(flat_d2=(dlat * dlat + dlng * dlng))
            .order_by("flat_d2", "pk").for_list()[:limit])
    found = [(haversine_m(lat, lng, r.lat, r.lng), r) for r in rows]
    found = [(d, r) for d, r in found if d <= radius_m]
    found.sort(key=lambda pair: (pair[0], pair[1].pk))
    return found


MAX_SUGGESTIONS = 5
_SCAN = 200  # the nearest rows read at most: a new report's 150 m hold far fewer


@dataclass
class Candidate:
    report: Report
    distance_m: float
    age: timedelta
    score: float  # 0 = same place, same moment; lower ranks first


def duplicate_candidates(report: Report, *, now: datetime, radius_m: float, days: int,
                         limit: int = MAX_SUGGESTIONS) -> list[Candidate]:
    """Return the open reports that `report` may repeat: handled by the same agency (the
    same or a related category), within `radius_m`, created in the `days` before it (or
    since); ranked by distance and age, each as a share of its window, a related category
    counting half a window more than the same one. One query (`nearby`)."""
    window = timedelta(days=days)
    among = Report.objects.filter(agency_id=report.agency_id).exclude(pk=report.pk)
    found = []
    for distance, other in nearby(report.city_id, report.lat, report.lng, radius_m=radius_m,
                                  since=min(report.created_at, now) - window, limit=_SCAN,
                                  among=among):
        age = abs(report.created_at - other.created_at)
        same = 0.0 if other.category_id == report.category_id else 0.5
        found.append(Candidate(other, round(distance), age,
                               distance / radius_m + age / window + same))
    found.sort(key=lambda c: (c.score, c.report.pk))
    return found[:limit]


def duplicate_counts(reports, *, now: datetime, radius_m: float, days: int) -> dict[int, int]:
    """Return, for each of `reports` (the inbox's page), how many open reports of its agency
    it may repeat, by `duplicate_candidates`' rule (within `radius_m`, made in the `days`
    before it). One query per agency on the page, whatever the number of rows: the open
    reports in the box around the page's points, then distances in Python."""
    window = timedelta(days=days)
    out: dict[int, int] = {}
    by_agency: dict[int, list[Report]] = {}
    for report in reports:
        if report.lat is not None and report.lng is not None:
            by_agency.setdefault(report.agency_id, []).append(report)
    for agency_id, group in by_agency.items():
        boxes = [bbox_around(r.lat, r.lng, radius_m) for r in group]
        since = min(min(r.created_at, now) for r in group) - window
        others = list(Report.objects.filter(
            agency_id=agency_id, status__in=list(OPEN), created_at__gte=since,
            lat__gte=min(b[0] for b in boxes), lng__gte=min(b[1] for b in boxes),
            lat__lte=max(b[2] for b in boxes), lng__lte=max(b[3] for b in boxes))
            .values_list("pk", "lat", "lng", "created_at"))
        for r in group:
            earliest = min(r.created_at, now) - window
            out[r.pk] = sum(1 for pk, lat, lng, at in others
                            if pk != r.pk and at >= earliest
                            and haversine_m(r.lat, r.lng, lat, lng) <= radius_m)
    return out
