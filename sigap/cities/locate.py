"""Point → city → kelurahan/kecamatan, with the polygons prepared once per process.

`city_at(lat, lng)` decides which city a point belongs to (routing by place,
docs/decisions/0012-routing-by-place.md). A city covers what its kelurahan polygons cover
(the same test `locate` makes, so a city never takes a point it cannot place in a
kelurahan; a pack's kota.geojson may be coarser than its kelurahan):

1. a city claims the point when its boundary (kota.geojson) or one of its kelurahan
   contains it, or passes within BORDER_TOLERANCE_M of it, and it can place the point in
   a kelurahan (within SLIVER_TOLERANCE_M); of two claimants (the 0.44 km² sliver between
   Kota and Kabupaten Kupang, a point on their shared border) the smaller city, by
   boundary area, wins;
2. else the city with the nearest kelurahan within SLIVER_TOLERANCE_M (gaps between
   polygons and along the coast);
3. else the point is refused with `NoCityHere`, which names the nearest city.

`locate(city, lat, lng)` then finds the kelurahan within that city.

The prepared polygons are kept once per process and prepared again when the configuration
changes (a `loadcity`, an admin edit, in any process: lib/memo.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import Point, shape

from sigap.cities.models import Area, City
from sigap.lib import memo
from sigap.lib.geo import PolygonIndex, haversine_m, valid_lat_lng

SLIVER_TOLERANCE_M = 50.0
# A point this close to a kelurahan is on its border (floating-point crossings of two
# borders land a hair inside one polygon and outside the other).
BORDER_TOLERANCE_M = 1.0
# A city is only asked about points within its bounding box grown by this (degrees, about
# 2 km): its kota.geojson, which sets the box, may be coarser than its kelurahan.
BOX_MARGIN_DEG = 0.02
METRES_PER_DEGREE = 111_195.0  # of latitude; near the equator of longitude too

_lock = threading.Lock()
# (city pk, code) → (PolygonIndex, {kelurahan pk: (kelurahan pk, kecamatan pk)})
_indexes = memo.until_configuration_changes()


class OutsideCity(ValueError):
    """The point is not inside the city (nor within the sliver tolerance of a kelurahan)."""


class NoCityHere(OutsideCity):
    """The point is in no city's boundary: `nearest` is the closest city (None when no city
    is loaded or the coordinates are invalid), `distance_m` how far its boundary is."""

    def __init__(self, nearest: City | None, distance_m: float | None):
        super().__init__("outside every city")
        self.nearest = nearest
        self.distance_m = distance_m


_CITIES = memo.configuration()


@dataclass(frozen=True)
class _CityIndex:
    cities: tuple  # City rows without their boundary, smallest boundary first
    boxes: np.ndarray  # (min_lat, min_lng, max_lat, max_lng) grown by BOX_MARGIN_DEG
    shapes: tuple  # the prepared kota boundaries, same order (for the nearest city)


def _city_index() -> _CityIndex:
    """Return the active cities, smallest area first (kept like the configuration: an added
    city reaches every worker within SIGAP_CONFIG_CACHE_SECONDS, this process at once after
    a pack load)."""
    def build():
        rows = list(City.objects.filter(is_active=True).exclude(boundary=None)
                    .order_by("code"))
        shapes = {c.pk: shape(c.boundary) for c in rows}
        # The smaller unit wins a point claimed by two cities: order by area.
        rows.sort(key=lambda c: (shapes[c.pk].area, c.code))
        ordered = tuple(shapes[c.pk] for c in rows)
        for geom in ordered:
            shapely.prepare(geom)
        # shapely's bounds are (min_lng, min_lat, max_lng, max_lat).
        boxes = np.array([(g.bounds[1], g.bounds[0], g.bounds[3], g.bounds[2])
                          for g in ordered], dtype=float).reshape(-1, 4)
        boxes += np.array([-BOX_MARGIN_DEG, -BOX_MARGIN_DEG, BOX_MARGIN_DEG, BOX_MARGIN_DEG])
        for city in rows:  # kept for the life of the memo: drop the large field
            city.boundary = None
        return _CityIndex(tuple(rows), boxes, ordered)

    return _CITIES.get("cities", build)


def city_at(lat: float, lng: float) -> City:
    """Return the city that serves the point (the rule: this module's docstring), or raise
    NoCityHere naming the nearest city. The instance is shared: treat it as read-only."""
    if not valid_lat_lng(lat, lng):
        raise NoCityHere(None, None)
    cities = _city_index()
    b = cities.boxes
    near = np.flatnonzero((b[:, 0] <= lat) & (lat <= b[:, 2]) & (b[:, 1] <= lng)
                          & (lng <= b[:, 3]))
    best = None
    point = Point(lng, lat)
    for pos in near:  # smallest city first
        city = cities.cities[int(pos)]
        index, _ = index_for(city)
        hit = index.locate(lat, lng, tolerance_m=SLIVER_TOLERANCE_M)
        if hit is None:
            continue
        if hit.distance_m <= BORDER_TOLERANCE_M or shapely.dwithin(
                cities.shapes[int(pos)], point, BORDER_TOLERANCE_M / METRES_PER_DEGREE):
            return city
        if best is None or hit.distance_m < best[1]:
            best = (city, hit.distance_m)
    if best is not None:
        return best[0]
    nearest, distance = None, None
    for city, geom in zip(cities.cities, cities.shapes, strict=True):
        edge = shapely.ops.nearest_points(geom, point)[0]
        metres = haversine_m(lat, lng, edge.y, edge.x)
        if distance is None or metres < distance:
            nearest, distance = city, metres
    raise NoCityHere(nearest, distance)


@dataclass(frozen=True)
class Located:
    kelurahan_id: int
    kecamatan_id: int | None
    distance_m: float


def index_for(city) -> tuple[PolygonIndex, dict]:
    """Return the prepared kelurahan index of `city`, building it once per process."""
    key = (city.pk, city.code)
    cached = _indexes.get(key)
    if cached is not None:
        return cached
    with _lock:
        cached = _indexes.get(key)
        if cached is None:
            rows = list(
                Area.objects.filter(city=city, level=Area.Level.KELURAHAN)
                .exclude(boundary=None)
                .values_list("pk", "parent_id", "boundary")
            )
            index = PolygonIndex([(pk, geom) for pk, _, geom in rows])
            parents = {pk: (pk, parent) for pk, parent, _ in rows}
            cached = (index, parents)
            _indexes.put(key, cached)
    return cached


def reset_cache() -> None:
    """Forget the prepared polygons (after a city pack is loaded)."""
    with _lock:
        _indexes.clear()
    _CITIES.clear()


def locate(city, lat: float, lng: float) -> Located:
    """Return the kelurahan and kecamatan containing the point, or raise OutsideCity."""
    if not valid_lat_lng(lat, lng):
        raise OutsideCity("invalid coordinates")
    index, parents = index_for(city)
    hit = index.locate(lat, lng, tolerance_m=SLIVER_TOLERANCE_M)
    if hit is None:
        raise OutsideCity("outside")
    kelurahan_id, kecamatan_id = parents[hit.key]
    return Located(kelurahan_id, kecamatan_id, hit.distance_m)
