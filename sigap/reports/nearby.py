"""The newest reports within a radius of a point, reading about as many rows as it returns.

A plain query ("inside the box, newest first, first 100") makes the database read every
report in the box and sort them: around a busy place that grows with the table. Instead each
report carries its H3 cell at two resolutions (res 8, ~0.7 km²; res 6, ~36 km²), indexed
with created_at. For a circle we list the cells that touch it, read each cell newest first
in batches, keep the points inside the circle, and merge: a report newer than the oldest row
read so far from every cell that still has rows is certainly in the right place, so we stop
as soon as enough such reports are known. The rows read depend on the page asked for and on
how much of the cells lies outside the circle — not on the size of the table.
"""

from __future__ import annotations

import math
from datetime import timezone as dt_timezone

import h3
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sigap.lib.geo import EARTH_RADIUS_M

FINE, COARSE = 8, 6
# Up to this radius the res-8 cells (about 20 or fewer) cover the circle; beyond it, res 6.
FINE_MAX_RADIUS_M = 1200.0
FIELDS = {FINE: "h3_r8", COARSE: "h3_r6"}


def cells_of(lat: float, lng: float) -> dict:
    """Return the report's cell columns for a point (set them wherever lat/lng are set)."""
    return {field: h3.str_to_int(h3.latlng_to_cell(lat, lng, res))
            for res, field in FIELDS.items()}


def _as_datetime(value):
    """A created_at as the database returned it (SQLite: UTC text) → an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt_timezone.utc)
    return value


def cell_name(lat: float, lng: float) -> str:
    """The res-9 cell as text, kept for analytics (hex bins)."""
    return h3.latlng_to_cell(lat, lng, 9)


def _distance_m(lat1, lng1, lat2, lng2) -> float:
    # Equirectangular: at city scale the error is far below a metre per kilometre.
    k = math.cos(math.radians((lat1 + lat2) / 2))
    return math.radians(math.hypot(lat2 - lat1, (lng2 - lng1) * k)) * EARTH_RADIUS_M


def covering_cells(lat: float, lng: float, radius_m: float) -> tuple[int, list[int]]:
    """Return (resolution, cells) whose union contains the circle; no cell misses it."""
    res = FINE if radius_m <= FINE_MAX_RADIUS_M else COARSE
    # The shortest edge at this resolution bounds how many rings can touch the circle.
    edge = h3.average_hexagon_edge_length(res, unit="m") * 0.5
    rings = int(math.ceil(radius_m / (edge * math.sqrt(3)))) + 1
    center = h3.latlng_to_cell(lat, lng, res)
    cells = []
    for cell in h3.grid_disk(center, rings):
        c_lat, c_lng = h3.cell_to_latlng(cell)
        reach = max(_distance_m(c_lat, c_lng, v_lat, v_lng)
                    for v_lat, v_lng in h3.cell_to_boundary(cell))
        if _distance_m(lat, lng, c_lat, c_lng) - reach <= radius_m:
            cells.append(h3.str_to_int(cell))
    return res, sorted(cells)


def newest_within(qs, lat: float, lng: float, radius_m: float, *, count: int,
                  stats: dict | None = None) -> list[int]:
    """Return the ids of the `count` newest reports of `qs` within the circle, newest first.

    `qs` carries every other filter (public, dates, status, ...), unordered and unsliced.
    Order: created_at descending, then id descending (as the un-geographic lists).
    `stats`, when given, receives the rows read and the queries made.
    """
    res, cells = covering_cells(lat, lng, radius_m)
    field = FIELDS[res]
    r2 = radius_m * radius_m
    k = math.cos(math.radians(lat))
    scale = math.radians(1) * EARTH_RADIUS_M

    def inside(p_lat, p_lng):
        dy, dx = (p_lat - lat) * scale, (p_lng - lng) * scale * k
        return dx * dx + dy * dy <= r2

    last: dict[int, tuple] = {}  # cell -> the oldest (created_at, id) read from it so far
    open_cells = set(cells)  # cells that may still hold older rows
    found: dict[int, tuple] = {}  # id -> (created_at, id) for rows inside the circle
    batch = {cell: count + 1 for cell in cells}

    def read(cell):
        page = qs.filter(**{field: cell})
        if cell in last:
            at, pk = last[cell]
            at = _as_datetime(at)
            page = page.filter(created_at__lte=at).exclude(created_at=at, pk__gte=pk)
        page = page.order_by("-created_at", "-pk").values_list(
            "created_at", "pk", "lat", "lng")[:batch[cell]]
        # Executed as compiled, without converting every created_at into a datetime: the
        # database's own values order the same way (text in SQLite, timestamps in
        # PostgreSQL) and only a batch's last one is converted, for the next batch.
        sql, params = page.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if stats is not None:
            stats["rows"] = stats.get("rows", 0) + len(rows)
            stats["queries"] = stats.get("queries", 0) + 1
        if len(rows) < batch[cell]:
            open_cells.discard(cell)
        if rows:
            last[cell] = tuple(rows[-1][:2])
        for at, pk, p_lat, p_lng in rows:
            if inside(p_lat, p_lng):
                found[pk] = (at, pk)
        batch[cell] *= 2

    for cell in cells:
        read(cell)
    while True:
        # Everything newer than the newest "oldest row read" of the cells still open is known.
        mark = max((last[c] for c in open_cells if c in last), default=None)
        known = sorted((key for key in found.values() if mark is None or key > mark),
                       reverse=True)
        if len(known) >= count or not open_cells:
            return [pk for _, pk in known[:count]]
        read(max((c for c in open_cells if c in last), key=lambda c: last[c]))
