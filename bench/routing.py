"""Routing benchmark: point-in-polygon lookups per second against Kupang's 51 kelurahan.

Run: .venv/bin/python bench/routing.py   (uses an in-memory copy of the city pack; no DB)

Compares, in one run: the prepared index Sigap uses (sigap.lib.geo.PolygonIndex: one
vectorised intersects_xy over the prepared polygons) against the STRtree query with a
Point that it used before, and a naive baseline that tests every unprepared polygon in turn.
Points are random, uniform over the city's bounding box (so a realistic share falls in
slivers, in the sea or outside the city, which exercises the 50 m nearest-kelurahan fallback).
"""

from __future__ import annotations

import json
import platform
import random
import sys
import time
from pathlib import Path

from shapely.geometry import Point, shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sigap.lib.geo import PolygonIndex  # noqa: E402


def load():
    data = json.loads((ROOT / "data/kupang/kelurahan.geojson").read_text())
    return [(f["properties"]["code"], f["geometry"]) for f in data["features"]]


def points(n, bounds, seed=42):
    rng = random.Random(seed)
    min_lng, min_lat, max_lng, max_lat = bounds
    return [(rng.uniform(min_lat, max_lat), rng.uniform(min_lng, max_lng)) for _ in range(n)]


def bench(fn, pts, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for lat, lng in pts:
            fn(lat, lng)
        best = min(best, time.perf_counter() - start)
    return len(pts) / best


def main(n=20000):
    items = load()
    index = PolygonIndex(items)
    naive = [(key, shape(geom)) for key, geom in items]
    from shapely.ops import unary_union

    bounds = unary_union([g for _, g in naive]).bounds
    pts = points(n, bounds)

    def naive_lookup(lat, lng):
        p = Point(lng, lat)
        for key, geom in naive:
            if geom.contains(p):
                return key
        return None

    inside = sum(1 for lat, lng in pts if index.locate(lat, lng, tolerance_m=0) is not None)
    strict = bench(lambda la, ln: index.locate(la, ln, tolerance_m=0), pts)
    with_fallback = bench(lambda la, ln: index.locate(la, ln, tolerance_m=50), pts)
    # Points known to be inside: the common case for real reports.
    inside_pts = [p for p in pts if index.locate(*p, tolerance_m=0) is not None]
    inside_rate = bench(lambda la, ln: index.locate(la, ln), inside_pts)
    baseline = bench(naive_lookup, pts[: n // 4], repeat=1)

    def tree_lookup(lat, lng):  # the previous method: a Point, then the tree's predicate query
        for idx in index.tree.query(Point(lng, lat), predicate="intersects"):
            return index.keys[int(idx)]
        return None

    tree_inside = bench(tree_lookup, inside_pts)
    # Cross-check: the index and the naive scan agree on every point.
    agree = all(tree_lookup(la, ln) == naive_lookup(la, ln) for la, ln in pts[:2000])
    agree = agree and all(index.locate(la, ln, tolerance_m=0) is not None and
                index.locate(la, ln, tolerance_m=0).key == naive_lookup(la, ln)
                or (index.locate(la, ln, tolerance_m=0) is None and naive_lookup(la, ln) is None)
                for la, ln in pts[:2000])
    print(f"machine: {platform.machine()} {platform.processor() or ''} "
          f"python {platform.python_version()}")
    print(f"points: {n} random over the city bbox; {inside} ({inside / n:.0%}) inside a kelurahan")
    print(f"prepared index, inside points only : {inside_rate:10,.0f} lookups/s")
    print(f"prepared index, strict (no fallback): {strict:10,.0f} lookups/s")
    print(f"prepared index, with 50 m fallback  : {with_fallback:10,.0f} lookups/s")
    print(f"STRtree query with a Point (before) : {tree_inside:10,.0f} lookups/s (inside points)")
    print(f"naive baseline (unprepared scan)    : {baseline:10,.0f} lookups/s")
    print(f"speed-up over baseline (strict)     : {strict / baseline:10.1f}x")
    print(f"index agrees with naive scan        : {agree}")
    return {"inside": inside_rate, "strict": strict, "fallback": with_fallback,
            "baseline": baseline, "tree_inside": tree_inside}


if __name__ == "__main__":
    main()
