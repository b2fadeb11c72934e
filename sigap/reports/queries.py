"""Questions about reports that more than one door asks, answered once (STYLE.md §22).

`nearby` — the reports around a point, nearest first: the citizen form's "already
reported here?", the WhatsApp conversation's offer to support one, the desk's duplicate
suggestions. (`reports.nearby` is another question: the newest reports in a circle, paged,
for the public lists.)
"""

from __future__ import annotations

import math
from datetime import datetime

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
