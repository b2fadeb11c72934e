"""The demo city's model of when, where and what citizens report.

Pure functions over plain data, except `model_for_city`, the one function that reads the
database (Area and Category rows) and the city pack's `demand.json` (the shapes: category
shares, a 12-month season per category, 24 hour-of-day and 7 weekday factors, Monday first).

Where: each kelurahan weighs by its population when the city pack gives every kelurahan one;
else by its kecamatan's population shared out by settled area when every kecamatan has one;
else by a proxy of where people live, Clark's urban density model (`density`: residents
thin out exponentially away from the city centre), integrated over the kelurahan (Kupang
today: no per-kelurahan or per-kecamatan figure with a source we can name, see
data/kupang/README.md and docs/dashboard.md). A report's point is drawn from a fixed pool of
points inside its kelurahan (a little jitter around them), denser ones likelier, so places
come back the way real problems do.

When: the expected number of reports per hour is

    yearly_total / 8760 × Σ_c share_c × season_c[month] × hour[h] × weekday[d]

with each season normalised to a mean of 1 over the days of a year, hours to a mean of 1 over
the day, weekdays over the week; month, hour and weekday in the city's time zone.
"""

from __future__ import annotations

import bisect
import calendar as _calendar
import itertools
import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sigap.agencies.models import Category
from sigap.cities.models import Area

POINTS_PER_PLACE = 96
# Pool points are kept this far (degrees, ~45 m) inside their kelurahan, so the jitter
# around them (JITTER, ~20 m) never carries a report over a border.
INSET = 0.0004
JITTER = 0.0002
KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Arrival:
    at: datetime  # aware, UTC
    category: str  # Category.code
    kelurahan: str  # Area.code of the kelurahan
    kecamatan: str  # Area.code of its kecamatan
    lat: float
    lng: float


@dataclass(frozen=True)
class Place:
    kelurahan: str
    kecamatan: str
    population: int | None
    area_km2: float
    weight: float  # relative share of the city's reports (see `weight_basis`)
    points: tuple[tuple[float, float], ...]  # (lat, lng) inside the kelurahan
    jitter: float = JITTER
    # Cumulative weights of the points (settled land is likelier); empty: all alike.
    point_cum: tuple[float, ...] = ()


@dataclass(frozen=True)
class DemandModel:
    city: str
    timezone: str
    places: tuple[Place, ...]
    categories: tuple[str, ...]
    shares: tuple[float, ...]  # per category, summing to 1
    monthly: tuple[tuple[float, ...], ...]  # per category: 12 factors, Jan first, mean 1
    hourly: tuple[float, ...]  # 24 factors, local hours, mean 1
    weekday: tuple[float, ...]  # 7 factors, Monday first, mean 1
    weight_basis: str = "area"  # "population", "kecamatan-population", "density" or "area"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# ---------------------------------------------------------------------------------------------
# Building a model (pure), and reading one from the database.

def _normalised_season(factors) -> tuple[float, ...]:
    """Return 12 monthly factors scaled so that their day-weighted mean over a year is 1."""
    factors = [float(f) for f in factors]
    if len(factors) != 12 or min(factors) < 0 or sum(factors) <= 0:
        raise ValueError("a season needs 12 non-negative factors")
    days = [_calendar.monthrange(2001, m)[1] for m in range(1, 13)]  # a common year
    mean = sum(f * d for f, d in zip(factors, days, strict=True)) / 365
    return tuple(f / mean for f in factors)


def _normalised(factors, n: int, what: str) -> tuple[float, ...]:
    factors = [float(f) for f in factors]
    if len(factors) != n or min(factors) < 0 or sum(factors) <= 0:
        raise ValueError(f"{what} needs {n} non-negative factors")
    mean = sum(factors) / n
    return tuple(f / mean for f in factors)


def build_model(*, city: str, timezone_name: str, places, categories, shapes: dict,
                weight_basis: str) -> DemandModel:
    """Return a DemandModel from places and the shapes of a city pack's demand.json.

    `categories` are the category codes that take reports; a code missing from the shapes
    gets the shapes' `default_share` and a flat season.
    """
    shapes = shapes or {}
    per_category = shapes.get("categories", {})
    default_share = float(shapes.get("default_share", 0.01))
    codes = tuple(categories)
    if not codes:
        raise ValueError("a demand model needs at least one category")
    raw = [float(per_category.get(c, {}).get("share", default_share)) for c in codes]
    total = sum(raw)
    if total <= 0:
        raise ValueError("category shares must not all be zero")
    seasons = shapes.get("seasons", {})

    def season(code):
        spec = per_category.get(code, {}).get("season", "flat")
        values = seasons.get(spec, [1] * 12) if isinstance(spec, str) else spec
        return _normalised_season(values)

    return DemandModel(
        city=city, timezone=timezone_name, places=tuple(places), categories=codes,
        shares=tuple(r / total for r in raw), monthly=tuple(season(c) for c in codes),
        hourly=_normalised(shapes.get("hourly", [1] * 24), 24, "hourly"),
        weekday=_normalised(shapes.get("weekday", [1] * 7), 7, "weekday"),
        weight_basis=weight_basis,
    )


def _area_km2(geometry) -> float:
    """Return the area of a lon/lat GeoJSON geometry in km² (local equirectangular)."""
    from shapely.geometry import shape

    geom = shape(geometry)
    scale = math.cos(math.radians(geom.centroid.y))
    return geom.area * KM_PER_DEGREE * KM_PER_DEGREE * scale


def _pool(geometry, seed: str, n: int = POINTS_PER_PLACE) -> tuple[tuple, float]:
    """Return (points, jitter): `n` (lat, lng) drawn inside the geometry, fixed by `seed`."""
    from shapely.geometry import Point, shape
    from shapely.prepared import prep

    geom = shape(geometry)
    jitter = JITTER
    inner = geom.buffer(-INSET)
    if inner.is_empty or inner.area < geom.area * 0.05:
        inner, jitter = geom, 0.0
    rng = random.Random(seed)
    inside = prep(inner)
    min_x, min_y, max_x, max_y = inner.bounds
    points: list[tuple[float, float]] = []
    for _ in range(n * 200):
        x, y = rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)
        if inside.contains(Point(x, y)):
            points.append((round(y, 6), round(x, 6)))
            if len(points) == n:
                break
    if not points:
        p = geom.representative_point()
        points, jitter = [(round(p.y, 6), round(p.x, 6))], 0.0
    return tuple(points), jitter


# Where people live when the pack has no population per place: Clark's (1951) urban density
# model, density falling exponentially with the distance from the city centre,
# ρ(d) = ρ0 · e^(−d/b). b = 3 km is a gradient of 0.33 per km, within the range measured for
# cities of Kupang's size; it is a proxy, named as one on the dashboard's documentation.
DENSITY_SCALE_KM = 3.0


def density(point: tuple[float, float], centre: tuple[float, float],
            scale_km: float = DENSITY_SCALE_KM) -> float:
    """Return the relative density of residents at `point` (lat, lng)."""
    lat, lng = point
    d = math.hypot((lat - centre[0]) * KM_PER_DEGREE,
                   (lng - centre[1]) * KM_PER_DEGREE * math.cos(math.radians(centre[0])))
    return math.exp(-d / scale_km)


def place_weights(kelurahan: list[dict], kecamatan_population: dict[str, int | None]):
    """Return (weights, basis) for kelurahan dicts with `population`, `area_km2`, `kecamatan`
    and, for the density proxy, `settled` (area × mean density over the place's points).

    Population where every kelurahan has one; else the kecamatan's population shared out by
    settled area where every kecamatan has one; else the density proxy; else area.
    """
    if kelurahan and all(k.get("population") for k in kelurahan):
        return [float(k["population"]) for k in kelurahan], "population"
    size = "settled" if all(k.get("settled") for k in kelurahan) else "area_km2"
    kecamatan = {k["kecamatan"] for k in kelurahan}
    if kecamatan and all(kecamatan_population.get(code) for code in kecamatan):
        area_of: dict[str, float] = {}
        for k in kelurahan:
            area_of[k["kecamatan"]] = area_of.get(k["kecamatan"], 0.0) + k[size]
        return [kecamatan_population[k["kecamatan"]] * k[size] / area_of[k["kecamatan"]]
                for k in kelurahan], "kecamatan-population"
    if size == "settled":
        return [float(k["settled"]) for k in kelurahan], "density"
    return [float(k["area_km2"]) for k in kelurahan], "area"


def shapes_for(city_code: str, packs_dir: Path | None = None) -> dict:
    """Return the city pack's demand shapes (data/<city>/demand.json), or {} (flat shapes)."""
    if packs_dir is None:
        from django.conf import settings

        packs_dir = Path(settings.BASE_DIR) / "data"
    path = packs_dir / city_code / "demand.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def model_for_city(city) -> DemandModel:
    """Return the demand model of `city` from its Area and Category rows and its pack."""
    areas = list(Area.objects.filter(city=city).select_related("parent").order_by("code"))
    kecamatan_population = {a.code: a.population for a in areas
                            if a.level == Area.Level.KECAMATAN}
    rows = []
    shapes = shapes_for(city.code)
    proxy = shapes.get("density", {})
    centre = tuple(proxy.get("centre", (city.center_lat, city.center_lng)))
    scale = float(proxy.get("scale_km", DENSITY_SCALE_KM))
    for area in areas:
        if area.level != Area.Level.KELURAHAN or not area.boundary or area.parent is None:
            continue
        points, jitter = _pool(area.boundary, f"{city.code}:{area.code}")
        dense = [density(p, centre, scale) for p in points]
        area_km2 = _area_km2(area.boundary)
        rows.append({"kelurahan": area.code, "kecamatan": area.parent.code,
                     "population": area.population, "area_km2": area_km2,
                     "settled": area_km2 * sum(dense) / len(dense),
                     "point_cum": tuple(itertools.accumulate(dense)),
                     "points": points, "jitter": jitter})
    if not rows:
        raise ValueError(f"{city} has no kelurahan with a boundary")
    weights, basis = place_weights(rows, kecamatan_population)
    places = [Place(kelurahan=r["kelurahan"], kecamatan=r["kecamatan"],
                    population=r["population"], area_km2=round(r["area_km2"], 4), weight=w,
                    points=r["points"], jitter=r["jitter"],
                    point_cum=r["point_cum"] if basis != "population" else ()) for r, w in
              zip(rows, weights, strict=True)]
    codes = list(Category.objects.filter(city=city, is_active=True)
                 .order_by("order", "code").values_list("code", flat=True))
    return build_model(city=city.code, timezone_name=city.timezone, places=places,
                       categories=codes, shapes=shapes, weight_basis=basis)


# ---------------------------------------------------------------------------------------------
# Using a model (pure).

def _factor(model: DemandModel, local: datetime) -> float:
    """Return Σ_c share_c × season_c[month] at `local` (the hour and weekday not included)."""
    m = local.month - 1
    return sum(s * season[m] for s, season in zip(model.shares, model.monthly, strict=True))


def intensity(model: DemandModel, at: datetime, *, yearly_total: float) -> float:
    """Return the expected number of reports per hour at `at` for `yearly_total` a year."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    local = at.astimezone(model.tz)
    return (yearly_total / 8760 * _factor(model, local)
            * model.hourly[local.hour] * model.weekday[local.weekday()])


def arrivals(model: DemandModel, *, start: datetime, end: datetime, total: int,
             rng: random.Random) -> list[Arrival]:
    """Return `total` reports in [start, end), sorted by time, drawn from the model.

    The time of each report follows `intensity` (hour by hour), its category the shares and
    seasons of its month, its kelurahan the places' weights. The same `rng` state gives the
    same list.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware")
    if end <= start or total <= 0:
        return []
    tz = model.tz
    # Hour bins: [start, first full hour), whole hours, [last full hour, end).
    edges = [start]
    t = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    while t < end:
        edges.append(t)
        t += timedelta(hours=1)
    edges.append(end)
    cum: list[float] = []
    running = 0.0
    for lo, hi in itertools.pairwise(edges):
        fraction = (hi - lo).total_seconds() / 3600
        running += intensity(model, lo, yearly_total=1.0) * fraction
        cum.append(running)
    if running <= 0:
        return []
    bins = rng.choices(range(len(cum)), cum_weights=cum, k=total)

    # Category by month of the bin (cumulative weights per local month).
    month_cum: dict[int, list[float]] = {}
    for m in range(12):
        acc, row = 0.0, []
        for share, season in zip(model.shares, model.monthly, strict=True):
            acc += share * season[m]
            row.append(acc)
        month_cum[m] = row
    place_cum: list[float] = []
    acc = 0.0
    for place in model.places:
        acc += place.weight
        place_cum.append(acc)

    out: list[Arrival] = []
    categories, places = model.categories, model.places
    for b in bins:
        lo, hi = edges[b], edges[b + 1]
        at = lo + (hi - lo) * rng.random()
        row = month_cum[lo.astimezone(tz).month - 1]
        category = categories[min(bisect.bisect_right(row, rng.random() * row[-1]),
                                  len(row) - 1)]
        place = places[min(bisect.bisect_right(place_cum, rng.random() * acc),
                           len(places) - 1)]
        if place.point_cum:
            k = bisect.bisect_right(place.point_cum, rng.random() * place.point_cum[-1])
            lat, lng = place.points[min(k, len(place.points) - 1)]
        else:
            lat, lng = place.points[rng.randrange(len(place.points))]
        if place.jitter:
            lat += rng.uniform(-place.jitter, place.jitter)
            lng += rng.uniform(-place.jitter, place.jitter)
        out.append(Arrival(at=at.astimezone(timezone.utc),
                           category=category, kelurahan=place.kelurahan,
                           kecamatan=place.kecamatan, lat=round(lat, 6), lng=round(lng, 6)))
    out.sort(key=lambda a: a.at)
    return out
