"""The public transparency page (/transparansi/) and the open-data downloads (no sign-in).

The page only reads the worker's snapshot (public.py); a missing one is queued for the worker
and the page says the figures are being prepared.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _, pgettext
from django.views.decorators.http import require_GET

from sigap.cities.middleware import public_city
from sigap.dashboard import exports, page, stats, tasks
from sigap.dashboard.public import LICENCE_URL, stored
from sigap.recognition import services as recognition
from sigap.reports import freshness
from sigap.reports.models import Report

log = logging.getLogger(__name__)

PENDING_RETRY_SECONDS = 30  # a missing snapshot: the page asks the browser to come back


def snapshot(city) -> dict | None:
    """Return the stored snapshot. When there is none (the worker has not run yet, the cache
    was emptied) the worker is asked to make it and None is returned: at a million reports
    it takes minutes, which no visitor's request may spend (nor a crowd of them, each its
    own). Where the queue runs jobs at once (the tests) it is made here."""
    snap = stored(city)
    if snap is None:
        try:
            tasks.prepare_transparency(city.pk)
        except Exception:  # noqa: BLE001 - the queue is down: the periodic refresh makes it
            log.warning("could not queue the transparency snapshot", exc_info=True)
        snap = stored(city)
    return snap


def _city(request):
    """The city whose transparency page and open data this host name shows."""
    return public_city(request)


@require_GET
def transparency(request):
    """The public page: how the city answers its citizens (no sign-in)."""
    city = _city(request)
    snap = snapshot(city)
    if snap is None:
        response = render(request, "dashboard/transparency_pending.html", {
            "city": city, "retry": PENDING_RETRY_SECONDS}, status=503)
        response["Retry-After"] = str(PENDING_RETRY_SECONDS)
        return response
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
                  "text": {"received": _("Laporan masuk"), "fixed": _("Di antaranya beres"),
                     "partial": pgettext("minggu", "belum penuh")}},
        "map": {"hexes": snap["hexes"], "center": [city.center_lat, city.center_lng],
                "bounds": city.bounds,
                "zoom": city.zoom, "tiles": settings.SIGAP_TILE_URL,
                "attribution": settings.SIGAP_TILE_ATTRIBUTION,
                "text": {"reports": pgettext("jumlah", "laporan")}},
        "licence_url": LICENCE_URL,
        "board": _board(request, city, snap),
    })


def _board(request, city, snap) -> dict:
    """The monthly kelurahan board of citizens whose reports were fixed (decision 0017)."""
    now = timezone.now()
    year, month = recognition.month_of(request.GET.get("bulan", ""), city, now)
    current = recognition.month_of("", city, now)
    start, end = recognition.month_bounds(city, year, month)
    before, after = recognition.shift(year, month, -1), recognition.shift(year, month, 1)
    kept = (snap or {}).get("board")
    if kept and tuple(kept["month"]) == (year, month):
        # This month's counts are the worker's snapshot, as every figure of the page; the
        # opted-in names are read now, so that an opt-out counts at once.
        areas = recognition.board_of(city, kept["counts"], area_names=kept["areas"])
    else:
        # Another month: computed, and kept under the public data version.
        key = f"sigap:board:{city.pk}:{year}-{month}:{freshness.version()}"
        areas = cache.get(key)
        if areas is None:
            areas = recognition.monthly_board(city, start, end)
            cache.set(key, areas, 3600)
    return {"areas": areas, "month": start,
            "previous": "%04d-%02d" % before,
            "next": "%04d-%02d" % after if after <= current else ""}


def _open_data(fmt):
    @require_GET
    def view(request):
        city = _city(request)
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
        "city": _city(request), "licence_url": LICENCE_URL,
        "columns": [c.name for c in exports.PUBLIC_COLUMNS],
        "outcomes": page.outcome_labels(),
        "csv_url": reverse("transparency:csv"), "geojson_url": reverse("transparency:geojson"),
    })
