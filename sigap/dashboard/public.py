"""The public transparency page's figures: the snapshot the worker computes (the views are in
public_views.py).

Only public reports (Report.objects.public(): never confidential, rejected or duplicate)
and no personal data. The page's figures are a snapshot computed by the worker (tasks.py,
every 15 minutes) and kept in the cache; the page itself only reads it, so it answers in a
few milliseconds whatever the size of the city. A missing snapshot (first visit, cache
cleared) is queued for the worker, and the page says the figures are being prepared.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import h3
from django.core.cache import cache

from sigap.agencies.models import Category
from sigap.cities.models import Area
from sigap.dashboard import figures, page
from sigap.dashboard.scope import Scope, received
from sigap.recognition import services as recognition
from sigap.reports.models import Report

SNAPSHOT_SECONDS = 2 * 3600  # refreshed every 15 minutes; kept longer in case the worker lags
WINDOW_DAYS = 365
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def snapshot_key(city_id: int) -> str:
    return f"sigap:transparency:v1:{city_id}"


def _group(facts, attr):
    groups: dict = {}
    for f in facts:
        groups.setdefault(getattr(f, attr), []).append(f)
    out = []
    for key, items in groups.items():
        s = figures.summarise(items)
        out.append({"key": key, "received": s.received, "valid": s.valid,
                    "fixed": s.fixed, "resolution": s.resolution})
    out.sort(key=lambda r: -r["received"])
    return out


def compute(city, *, now: datetime) -> dict:
    """Return the transparency page's figures over the last 12 months of public reports."""
    today = now.astimezone(city.tz).date()
    scope = Scope(city_id=city.pk, tz=city.tz, start=today - timedelta(days=WINDOW_DAYS - 1),
                  end=today)
    facts = figures.load_from(received(scope, Report.objects.public()), scope, now=now)
    summary = figures.summarise(facts)
    sensitive = set(Category.objects.filter(city=city, is_sensitive=True)
                    .values_list("pk", flat=True))
    centres = {pk: (lat, lng) for pk, lat, lng in Area.objects.filter(
        city=city, level=Area.Level.KELURAHAN, centroid_lat__isnull=False).values_list(
        "pk", "centroid_lat", "centroid_lng")}
    hexes: dict = {}
    for f in facts:
        cell = _public_cell(f, sensitive, centres)
        if cell:
            hexes[cell] = hexes.get(cell, 0) + 1
    return {
        "computed_at": now, "start": scope.start, "end": scope.end,
        "summary": summary,
        "by_category": _group(facts, "category_id"),
        "by_agency": _group(facts, "agency_id"),
        "by_kecamatan": _group(facts, "kecamatan_id"),
        "weeks": [{"week": w.isoformat(), "received": n, "fixed": fx,
                   "partial": figures.partial_week(w, scope)}
                  for w, n, fx in figures.weekly(facts, scope)],
        "hexes": [{"cell": c, "count": n,
                   "outline": [[round(a, 5), round(b, 5)] for a, b in h3.cell_to_boundary(c)]}
                  for c, n in sorted(hexes.items(), key=lambda kv: -kv[1])],
    }


def _public_cell(f, sensitive: set, centres: dict) -> str | None:
    """The resolution-8 cell shown for a report: a sensitive one at its kelurahan's centre."""
    if f.category_id in sensitive:
        centre = centres.get(f.kelurahan_id)
        return h3.latlng_to_cell(centre[0], centre[1], page.HEX_RESOLUTION) if centre else None
    return h3.cell_to_parent(f.place, page.HEX_RESOLUTION) if f.place else None


def refresh(city, *, now: datetime) -> dict:
    """Compute the snapshot and store it (the worker calls this; safe to run twice)."""
    snap = compute(city, now=now)
    # The month's citizens' board (decision 0017): counts and kelurahan names; the names of
    # the citizens who opted in are read by the page, so that an opt-out counts at once.
    year, month = recognition.month_of("", city, now)
    start, end = recognition.month_bounds(city, year, month)
    counts = recognition.board_counts(city, start, end)
    snap["board"] = {"month": (year, month), "counts": counts, "areas": dict(
        Area.objects.filter(pk__in={c[0] for c in counts}).values_list("pk", "name"))}
    cache.set(snapshot_key(city.pk), snap, SNAPSHOT_SECONDS)
    return snap


def stored(city) -> dict | None:
    return cache.get(snapshot_key(city.pk))
