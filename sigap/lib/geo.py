"""Geography helpers: distances, bounding boxes and a prepared point-in-polygon index."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.ops
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Return the great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bbox_around(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """Return (min_lat, min_lng, max_lat, max_lng) of a box that contains the circle."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlng = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lng - dlng, lat + dlat, lng + dlng


def valid_lat_lng(lat: float, lng: float) -> bool:
    return (
        math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180
    )


@dataclass(frozen=True)
class Hit:
    key: object
    distance_m: float  # 0 when inside


class PolygonIndex:
    """Point-in-polygon over many polygons, prepared once; nearest within a tolerance."""

    def __init__(self, items: list[tuple[object, dict]]):
        self.keys = [key for key, _ in items]
        self.geoms = [shape(geojson) for _, geojson in items]
        for geom in self.geoms:
            shapely.prepare(geom)
        self.tree = STRtree(self.geoms)
        self._array = np.array(self.geoms, dtype=object)

    def __len__(self) -> int:
        return len(self.geoms)

    def locate(self, lat: float, lng: float, tolerance_m: float = 50.0) -> Hit | None:
        """Return the polygon containing the point, else the nearest within tolerance_m."""
        # One vectorised test of the coordinates against every prepared polygon (each
        # rejects on its envelope first): no Point object, no tree walk; three times the
        # tree's rate for Kupang's 51 kelurahan (docs/benchmarks.md). The lowest index wins
        # on a shared border.
        inside = np.flatnonzero(shapely.intersects_xy(self._array, lng, lat))
        if inside.size:
            return Hit(self.keys[int(inside[0])], 0.0)
        if tolerance_m <= 0:
            return None
        point = Point(lng, lat)
        # Degrees are not metres: search a generous box, then measure properly.
        min_lat, min_lng, max_lat, max_lng = bbox_around(lat, lng, tolerance_m)
        box = shapely.box(min_lng, min_lat, max_lng, max_lat)
        best: Hit | None = None
        for idx in self.tree.query(box):
            geom = self.geoms[int(idx)]
            near = shapely.ops.nearest_points(geom, point)[0]
            dist = haversine_m(lat, lng, near.y, near.x)
            if dist <= tolerance_m and (best is None or dist < best.distance_m):
                best = Hit(self.keys[int(idx)], dist)
        return best

