"""The public transparency page (/transparansi/) and the open-data downloads.

Only public reports (Report.objects.public(): never confidential, rejected or duplicate)
and no personal data. The page's figures are a snapshot computed by the worker (tasks.py,
every 15 minutes) and kept in the cache; the page itself only reads it, so it answers in a
few milliseconds whatever the size of the city. A missing snapshot (first visit, cache
cleared) is computed once and stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import h3
from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, pgettext
from django.views.decorators.http import require_GET

from sigap.agencies.models import Category
from sigap.cities.models import Area, City
from sigap.dashboard import exports, figures, page, stats
from sigap.dashboard.scope import Scope, received
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
        "weeks": [{"week": w.isoformat(), "received": n, "fixed": fx}
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
    cache.set(snapshot_key(city.pk), snap, SNAPSHOT_SECONDS)
    return snap


def snapshot(city, *, now: datetime) -> dict:
    return cache.get(snapshot_key(city.pk)) or refresh(city, now=now)


def _city():
    city = City.default_cached()
    if city is None:
        raise Http404(_("Kota belum disiapkan."))
    return city


@require_GET
def transparency(request):
    """The public page: how the city answers its citizens (no sign-in)."""
    city = _city()
    snap = snapshot(city, now=timezone.now())
    labels = page.labels_for(city.pk)

    def named(rows, dim):
        return [{**r, "label": labels.of(dim, r["key"])} for r in rows]

    return render(request, "dashboard/transparency.html", {
        "city": city, "snap": snap, "summary": snap["summary"],
        "min_sample": stats.MIN_SAMPLE,
        "by_category": named(snap["by_category"], "category"),
        "by_agency": named(snap["by_agency"], "agency"),
        "by_kecamatan": named(snap["by_kecamatan"], "kecamatan"),
        "chart": {"weeks": snap["weeks"],
                  "text": {"received": _("Laporan masuk"), "fixed": _("Di antaranya beres")}},
        "map": {"hexes": snap["hexes"], "center": [city.center_lat, city.center_lng],
                "bounds": city.bounds,
                "zoom": city.zoom, "tiles": settings.SIGAP_TILE_URL,
                "attribution": settings.SIGAP_TILE_ATTRIBUTION,
                "text": {"reports": pgettext("jumlah", "laporan")}},
        "licence_url": LICENCE_URL,
    })



def _open_data(fmt):
    @require_GET
    def view(request):
        city = _city()
        now = timezone.now()
        context = exports.Context(city.pk, city.tz, now)
        qs = Report.objects.public().filter(city=city)
        response = exports.stream(
            fmt, exports.records(qs, context, exports.PUBLIC_COLUMNS), exports.PUBLIC_COLUMNS,
            filename=f"sigap-{city.code}-laporan-publik", sheet="laporan")
        response["Link"] = f'<{LICENCE_URL}>; rel="license"'
        return response

    view.__name__ = f"open_data_{fmt}"
    return view


open_data_csv = _open_data("csv")
open_data_geojson = _open_data("geojson")


@require_GET
def data_dictionary(request):
    """What each column of the open data means, and the licence."""
    return render(request, "dashboard/data_dictionary.html", {
        "city": _city(), "licence_url": LICENCE_URL,
        "columns": [c.name for c in exports.PUBLIC_COLUMNS],
        "outcomes": page.outcome_labels(),
        "csv_url": reverse("transparency:csv"), "geojson_url": reverse("transparency:geojson"),
    })
