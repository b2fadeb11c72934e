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
             "partial": figures.partial_week(w, scope),
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


def _key(value: str):
    return int(value) if value.isdigit() else (None if value in ("", "None") else value)


def describe(pairs: list[tuple[str, str]], labels: Labels) -> list[str]:
    """Return each subset of a drill-down in words ("Diselesaikan terlambat"), so that the
    list says what it counts, not only how many."""
    sla_words = {
        ("sla_response", "met"): _("Ditanggapi tepat waktu"),
        ("sla_response", "breached"): _("Ditanggapi terlambat, atau belum ditanggapi "
                                        "dan sudah lewat tenggat tanggapan"),
        ("sla_response", "pending"): _("Tenggat tanggapan belum lewat"),
        ("sla_response", "decided"): _("Sudah bisa dinilai tepat waktu atau tidak "
                                       "(tanggapan)"),
        ("sla_resolution", "met"): _("Diselesaikan tepat waktu"),
        ("sla_resolution", "breached"): _("Diselesaikan terlambat, atau belum selesai dan "
                                          "sudah lewat tenggat penyelesaian"),
        ("sla_resolution", "pending"): _("Belum jatuh tempo atau menunggu warga"),
        ("sla_resolution", "decided"): _("Sudah bisa dinilai tepat waktu atau tidak "
                                         "(penyelesaian)"),
    }
    plain = {
        "all": _("Semua laporan masuk"), "valid": _("Laporan sah"), "fixed": _("Beres"),
        "open": _("Masih terbuka"), "responded": _("Sudah ditanggapi"),
        "resolved": _("Sudah diselesaikan"), "reopened": _("Dibuka kembali oleh warga"),
        "ever_resolved": _("Pernah diselesaikan"), "rated": _("Dinilai warga"),
        "satisfied": _("Warga puas (4–5 bintang)"), "place": _("Satu titik rawan berulang"),
        "hex": _("Satu sel peta"),
    }
    dimension_words = {
        "category": _("Kategori %(v)s"), "agency": _("Dinas %(v)s"), "team": _("Tim %(v)s"),
        "kecamatan": _("Kecamatan %(v)s"), "kelurahan": _("Kelurahan %(v)s"),
        "source": _("Saluran %(v)s"),
    }
    outcomes = outcome_labels()
    words = []
    for name, value in pairs:
        if (name, value) in sla_words:
            words.append(sla_words[name, value])
        elif name == "outcome":
            words.append(outcomes.get(value, value))
        elif name == "week":
            words.append(_("Minggu mulai %(d)s") % {"d": value})
        elif name == "age":
            words.append(_("Terbuka %(a)s hari") % {"a": value})
        elif name in dimension_words:
            words.append(dimension_words[name] % {"v": labels.of(name, _key(value))})
        elif name in plain:
            words.append(plain[name])
    return words


@dataclass
class Change:
    """How a figure moved against an earlier period, in words, and whether that is good
    (None: neither, as for the number of reports received)."""

    text: str
    better: bool | None


def _change(kind: str, now, then) -> Change | None:
    from django.utils.formats import number_format

    if kind == "count":
        d = now - then
        text = f"{'+' if d > 0 else ''}{number_format(d, 0, force_grouping=True)}"
        if then:
            text += f" ({'+' if d > 0 else ''}{round(d * 100 / then)} %)"
        return Change(text, None)
    if kind == "rate":
        if now.value is None or then.value is None:
            return None
        points = round((now.value - then.value) * 100)
        return Change(_("%(d)s poin") % {"d": f"{'+' if points > 0 else ''}{points}"},
                      None if points == 0 else points > 0)
    if now.median is None or then.median is None:  # durations: shorter is better
        return None
    hours = now.median - then.median
    days = abs(hours) >= 48
    amount = number_format(round(abs(hours) / (24 if days else 1), 1), 1)
    sign = "+" if hours > 0 else ("-" if hours < 0 else "")
    unit = _("hari") if days else _("jam")
    return Change(f"{sign}{amount} {unit}", None if hours == 0 else hours < 0)


def month_comparison(summary, previous, last_year) -> list[dict]:
    """Return the monthly report's headline figures beside the previous month's and the
    same month's a year before, each with its change."""
    rows = [
        ("received", _("Laporan masuk"), "count", lambda s: s.received),
        ("fixed", _("Beres"), "rate", lambda s: s.fixed),
        ("response", _("Ditanggapi tepat waktu"), "rate", lambda s: s.sla_response_rate),
        ("resolution", _("Selesai tepat waktu (SLA)"), "rate",
         lambda s: s.sla_resolution_rate),
        ("duration", _("Lama penyelesaian (median)"), "duration", lambda s: s.resolution),
        ("satisfaction", _("Warga puas (4–5 bintang)"), "rate", lambda s: s.satisfaction),
    ]
    return [{"key": key, "label": label, "kind": kind, "now": get(summary),
             "previous": get(previous), "previous_change": _change(kind, get(summary),
                                                                     get(previous)),
             "last_year": get(last_year), "last_year_change": _change(kind, get(summary),
                                                                       get(last_year))}
            for key, label, kind, get in rows]


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
