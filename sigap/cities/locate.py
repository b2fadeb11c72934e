"""Point → kelurahan/kecamatan, with the city's polygons prepared once per process and
prepared again when the configuration changes (a `loadcity`, an admin edit, in any process:
lib/memo.py)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sigap.cities.models import Area
from sigap.lib import memo
from sigap.lib.geo import PolygonIndex, valid_lat_lng

SLIVER_TOLERANCE_M = 50.0

_lock = threading.Lock()
# (city pk, code) → (PolygonIndex, {kelurahan pk: (kelurahan pk, kecamatan pk)})
_indexes = memo.until_configuration_changes()


class OutsideCity(ValueError):
    """The point is not inside the city (nor within the sliver tolerance of a kelurahan)."""


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
