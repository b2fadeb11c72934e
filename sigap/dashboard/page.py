"""What the dashboard page shows for one scope: figures plus the links behind each number.

Everything here is plain data for the template and for the page's script (json_script):
labels in the active language, counts, and for every count the URL of its reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlencode

import h3
from django.urls import reverse
from django.utils.translation import gettext as _

from sigap.agencies.models import Agency, Category, Team
from sigap.cities.models import Area
from sigap.dashboard import figures, stats
from sigap.dashboard.scope import Scope
from sigap.reports.models import Report

HEX_RESOLUTION = 8  # about 0.7 km² a cell: a few streets
HOTSPOTS_SHOWN = 15


def outcome_labels() -> dict[str, str]:
    return {
        stats.FIXED_CONFIRMED: _("Beres, dikonfirmasi warga"),
        stats.FIXED_NO_REPLY: _("Beres, warga tidak membalas dalam 7 hari"),
        stats.AWAITING_CONFIRMATION: _("Selesai, menunggu konfirmasi warga"),
        stats.CLOSED_UNCONFIRMED: _("Ditutup dinas tanpa konfirmasi warga"),
        stats.WAITING_CITIZEN: _("Menunggu keterangan dari warga"),
        stats.WAITING_OTHER_AGENCY: _("Dialihkan, menunggu dinas lain"),
        stats.IN_WORK: _("Sedang ditangani"),
        stats.NOT_HANDLED: _("Belum ditanggapi"),
        stats.REJECTED: _("Ditolak"),
        stats.DUPLICATE: _("Duplikat"),
    }


def drill_url(scope: Scope, *pairs: tuple[str, object]) -> str:
    """Return the URL of the list of reports behind a number (the scope plus subsets)."""
    params = list(scope.params().items())
    params += [("f", f"{name}:{value}" if value not in (None, "") else name)
               for name, value in pairs]
    return f"{reverse('dashboard:reports')}?{urlencode(params)}"


def parse_pairs(values: list[str]) -> list[tuple[str, str]]:
    """Return the (subset, value) pairs of a drill-down URL's `f` parameters, known only."""
    pairs = []
    for raw in values:
        name, _sep, value = raw.partition(":")
        if name in figures.SUBSETS:
            pairs.append((name, value))
    return pairs


@dataclass
class Labels:
    category: dict
    agency: dict
    team: dict
    kecamatan: dict
    kelurahan: dict
    source: dict

    def of(self, dimension: str, key) -> str:
        if key is None:
            return _("(tidak diketahui)")
        return str(getattr(self, dimension).get(key, key))


def labels_for(city_id: int) -> Labels:
    areas = list(Area.objects.filter(city_id=city_id).defer("boundary")
                 .values_list("pk", "level", "name"))
    return Labels(
        category={c.pk: c.name for c in Category.objects.filter(city_id=city_id)},
        agency={a.pk: str(a) for a in Agency.objects.filter(city_id=city_id)},
        team={t.pk: t.name for t in Team.objects.filter(agency__city_id=city_id)},
        kecamatan={pk: name for pk, level, name in areas if level == Area.Level.KECAMATAN},
        kelurahan={pk: name for pk, level, name in areas if level == Area.Level.KELURAHAN},
        source={k: str(v) for k, v in Report.Source.choices},
    )


def breakdown(scope, facts, labels: Labels, dimension: str, *, limit: int | None = None):
    """Return [{label, count, share, url}] of received reports per value of `dimension`."""
    counts: dict = {}
    attr = figures.DIMENSIONS[dimension]
    for f in facts:
        key = getattr(f, attr)
        counts[key] = counts.get(key, 0) + 1
    total = len(facts) or 1
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], labels.of(dimension, kv[0])))
    if limit:
        rows = rows[:limit]
    top = rows[0][1] if rows else 1
    return [{"label": labels.of(dimension, key), "count": n, "share": n / total,
             "bar": round(n * 100 / top), "url": drill_url(scope, (dimension, key))}
            for key, n in rows]


def league_rows(scope, facts, labels: Labels, dimension: str, *, league=None):
    """`league`: figures.league(facts, dimension) when the caller has it already."""
    out = []
    for row in figures.league(facts, dimension) if league is None else league:
        s = row.summary
        out.append({
            "label": labels.of(dimension, row.key), "summary": s,
            "url": drill_url(scope, (dimension, row.key)),
            "fixed_url": drill_url(scope, (dimension, row.key), ("fixed", "")),
            "key": row.key,
        })
    return out


@lru_cache(maxsize=512)
def _area_km2(area_id: int, boundary_json: str) -> float | None:
    """Return an area's surface in km² from its GeoJSON boundary (local flat projection:
    at Kupang's size the error is far below a per cent)."""
    import json
    import math

    import shapely
    from shapely.geometry import shape

    geom = shape(json.loads(boundary_json))
    k = 111.32  # km per degree of latitude
    scale = [k * math.cos(math.radians(geom.centroid.y)), k]
    return shapely.transform(geom, lambda coords: coords * scale).area or None


def choropleth(scope, facts, *, kelurahan_ids: set | None = None):
    """Return per kelurahan: count, residents (when known), km², the rate shown and its URL.

    The rate is reports per 1,000 residents when the city pack gives the population of every
    kelurahan, else reports per km² (one unit for the whole map, said in its legend)."""
    import json

    counts: dict = {}
    for f in facts:
        if f.kelurahan_id is not None:
            counts[f.kelurahan_id] = counts.get(f.kelurahan_id, 0) + 1
    areas = list(Area.objects.filter(city_id=scope.city_id, level=Area.Level.KELURAHAN))
    if kelurahan_ids is not None:
        areas = [a for a in areas if a.pk in kelurahan_ids]
    populations = {a.pk: getattr(a, "population", None) for a in areas}
    per_people = bool(areas) and all(populations.values())
    out = []
    for a in areas:
        n = counts.get(a.pk, 0)
        km2 = _area_km2(a.pk, json.dumps(a.boundary)) if a.boundary else None
        rate = (stats.per_thousand(n, populations[a.pk]) if per_people
                else (n / km2 if km2 else None))
        out.append({"id": a.pk, "name": a.name, "count": n, "population": populations[a.pk],
                    "km2": round(km2, 2) if km2 else None,
                    "rate": round(rate, 2) if rate is not None else None,
                    "url": drill_url(scope, ("kelurahan", a.pk))})
    return {"unit": "per_1000" if per_people else "per_km2", "areas": out}


def hexes(scope, facts):
    """Return the H3 cells (resolution 8) with reports, their outline and count."""
    counts: dict = {}
    for f in facts:
        if f.place:
            parent = h3.cell_to_parent(f.place, HEX_RESOLUTION)
            counts[parent] = counts.get(parent, 0) + 1
    return [{"cell": cell, "count": n,
             "outline": [[round(lat, 5), round(lng, 5)]
                         for lat, lng in h3.cell_to_boundary(cell)],
             "url": drill_url(scope, ("hex", cell))}
            for cell, n in sorted(counts.items(), key=lambda kv: -kv[1])]


def hotspot_rows(scope, facts, labels: Labels, *, spots=None):
    """`spots`: figures.hotspots(facts) when the caller has them already."""
    out = []
    for spot in (figures.hotspots(facts) if spots is None else spots)[:HOTSPOTS_SHOWN]:
        first = spot.sightings[0].ref
        out.append({
            "category": labels.of("category", spot.category),
            "kelurahan": labels.of("kelurahan", first.kelurahan_id),
            "count": spot.count, "first": spot.first, "last": spot.last,
            "history": [s.ref for s in spot.sightings],
            "url": drill_url(scope, ("place", spot.place), ("category", spot.category)),
        })
    return out


def weekly_series(scope, facts):
    return [{"week": w.isoformat(), "received": n, "fixed": fixed,
             "url": drill_url(scope, ("week", w.isoformat()))}
            for w, n, fixed in figures.weekly(facts, scope)]


def backlog_view(scope, backlog: figures.Backlog, now: datetime):
    labels = outcome_labels()
    return {
        "total": backlog.total,
        "url": reverse("dashboard:reports") + "?" + urlencode(
            [*scope.params().items(), ("open", "1")]),
        "by_age": [{"label": label, "count": n,
                    "url": reverse("dashboard:reports") + "?" + urlencode(
                        [*scope.params().items(), ("open", "1"), ("f", f"age:{label}")])}
                   for label, n in backlog.by_age],
        "by_outcome": [{"label": labels[o], "count": n,
                        "url": reverse("dashboard:reports") + "?" + urlencode(
                            [*scope.params().items(), ("open", "1"), ("f", f"outcome:{o}")])}
                       for o, n in backlog.by_outcome.items()],
    }


def scope_title(scope: Scope, labels: Labels) -> str:
    """Return the scope in words: "Kecamatan Alak · DLHK"."""
    parts = []
    if scope.kelurahan_id:
        parts.append(_("Kelurahan %(n)s") % {"n": labels.of("kelurahan", scope.kelurahan_id)})
    elif scope.kecamatan_id:
        parts.append(_("Kecamatan %(n)s") % {"n": labels.of("kecamatan", scope.kecamatan_id)})
    else:
        parts.append(_("Seluruh kota"))
    if scope.agency_id:
        parts.append(labels.of("agency", scope.agency_id))
    if scope.category_id:
        parts.append(labels.of("category", scope.category_id))
    return " · ".join(parts)
