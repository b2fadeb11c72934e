"""Exports of a scope's reports (CSV, Excel, GeoJSON), streamed row by row.

The rows come from the database through `.iterator()` and leave as they are written: a
million reports never sit in memory at once (Excel is written by xlsxwriter in its
constant-memory mode to a temporary file, then streamed from it). No export carries the
reporter's identity, contact or description (free text often holds names and numbers), and a
sensitive category's location is its kelurahan's centre, never the spot.

The open-data download of the transparency page uses the same machinery with the public
columns only, over Report.objects.public().
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import pgettext

from sigap.agencies.models import Category
from sigap.cities.models import Area
from sigap.dashboard import figures
from sigap.dashboard.scope import ROW_FIELDS, Scope, annotate, open_now, received
from sigap.lib import spreadsheet

CHUNK = 2000
EXTRA_FIELDS = ("lat", "lng", "address", "support_count", "closed_at")


@dataclass(frozen=True)
class Column:
    name: str  # machine name (CSV header, GeoJSON property, data dictionary)
    get: Callable


class Context:
    """What rows need besides themselves: names, sensitivity, kelurahan centres, the clock."""

    def __init__(self, city_id: int, tz, now: datetime):
        # Imported when called, to keep this module's import light (read at import by views).
        from sigap.dashboard.page import labels_for, outcome_labels

        self.tz, self.now = tz, now
        self.labels = labels_for(city_id)
        self.outcome_labels = outcome_labels()
        cats = Category.objects.filter(city_id=city_id).values_list("pk", "code", "is_sensitive")
        self.category_code = {pk: code for pk, code, _s in cats}
        self.sensitive = {pk for pk, _c, s in cats if s}
        self.centre = {pk: (lat, lng) for pk, lat, lng in Area.objects.filter(
            city_id=city_id, level=Area.Level.KELURAHAN).values_list(
            "pk", "centroid_lat", "centroid_lng")}

    def local(self, value: datetime | None) -> str:
        return value.astimezone(self.tz).isoformat(timespec="minutes") if value else ""

    def location(self, row) -> tuple[float | None, float | None, str]:
        """Return (lat, lng, precision): the kelurahan centre for a sensitive category."""
        if row["category_id"] in self.sensitive:
            lat, lng = self.centre.get(row["kelurahan_id"], (None, None))
            if lat is None:
                return round(row["lat"], 2), round(row["lng"], 2), "kota"
            return round(lat, 3), round(lng, 3), "kelurahan"
        return row["lat"], row["lng"], "tepat"


def _h(value):
    return "" if value is None else round(value, 2)


STAFF_COLUMNS = [
    Column("tiket", lambda r, f, c: r["ticket"]),
    Column("diterima", lambda r, f, c: c.local(r["created_at"])),
    Column("kode_kategori", lambda r, f, c: c.category_code.get(r["category_id"], "")),
    Column("kategori", lambda r, f, c: c.labels.of("category", r["category_id"])),
    Column("dinas", lambda r, f, c: c.labels.of("agency", r["agency_id"])),
    Column("tim", lambda r, f, c: c.labels.of("team", r["team_id"]) if r["team_id"] else ""),
    Column("kecamatan", lambda r, f, c: c.labels.of("kecamatan", r["kecamatan_id"])),
    Column("kelurahan", lambda r, f, c: c.labels.of("kelurahan", r["kelurahan_id"])),
    Column("saluran", lambda r, f, c: r["source"]),
    Column("status", lambda r, f, c: r["status"]),
    Column("hasil", lambda r, f, c: f.outcome),
    Column("hasil_keterangan", lambda r, f, c: c.outcome_labels[f.outcome]),
    Column("tanggapan_pertama", lambda r, f, c: c.local(r["first_response_at"])),
    Column("diselesaikan", lambda r, f, c: c.local(r["resolved_at"])),
    Column("ditutup", lambda r, f, c: c.local(r["closed_at"])),
    Column("jam_sampai_tanggapan", lambda r, f, c: _h(f.response_h)),
    Column("jam_sampai_selesai", lambda r, f, c: _h(f.resolution_h)),
    Column("sla_tanggapan", lambda r, f, c: f.response_sla or ""),
    Column("sla_penyelesaian", lambda r, f, c: f.resolution_sla or ""),
    Column("pernah_dibuka_kembali", lambda r, f, c: int(f.reopened)),
    Column("nilai_warga", lambda r, f, c: "" if f.rating is None else f.rating),
    Column("dukungan", lambda r, f, c: r["support_count"]),
    Column("alamat", lambda r, f, c: "" if r["category_id"] in c.sensitive else r["address"]),
    Column("lintang", lambda r, f, c: c.location(r)[0]),
    Column("bujur", lambda r, f, c: c.location(r)[1]),
    Column("ketelitian_lokasi", lambda r, f, c: c.location(r)[2]),
]

# The open data: no team, no address, no rating (a person's opinion), nothing that could
# lead to a person; see the data dictionary (templates/dashboard/data_dictionary.html).
PUBLIC_COLUMNS = [c for c in STAFF_COLUMNS if c.name in {
    "tiket", "diterima", "kode_kategori", "kategori", "dinas", "kecamatan", "kelurahan",
    "saluran", "status", "hasil", "tanggapan_pertama", "diselesaikan", "jam_sampai_tanggapan",
    "jam_sampai_selesai", "sla_tanggapan", "sla_penyelesaian", "dukungan", "lintang", "bujur",
    "ketelitian_lokasi"}]


def records(qs, context: Context, columns, *, pairs=()) -> Iterator[tuple[dict, list]]:
    """Yield (row, values) for each report of `qs` in the subsets `pairs`, streamed."""
    values = annotate(qs).order_by("created_at", "id").values(*ROW_FIELDS, *EXTRA_FIELDS)
    for row in values.iterator(chunk_size=CHUNK):
        f = figures.facts_of(row, now=context.now, tz=context.tz)
        if pairs and not all(figures.matches(f, s, v) for s, v in pairs):
            continue
        yield row, [col.get(row, f, context) for col in columns]


class _Echo:
    def write(self, value):
        return value


def csv_stream(recs, columns) -> Iterator[str]:
    writer = spreadsheet.writer(_Echo())
    yield "\ufeff"  # so that spreadsheet programs read UTF-8
    yield writer.writerow([c.name for c in columns])
    for _row, values in recs:
        yield writer.writerow(values)


def geojson_stream(recs, columns) -> Iterator[str]:
    yield '{"type":"FeatureCollection","features":[\n'
    first = True
    names = [c.name for c in columns]
    for _row, values in recs:
        props = dict(zip(names, values, strict=True))
        lat, lng = props.pop("lintang"), props.pop("bujur")
        feature = {"type": "Feature", "properties": props,
                   "geometry": None if lat is None else {"type": "Point",
                                                         "coordinates": [lng, lat]}}
        yield ("" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
        first = False
    yield "\n]}\n"


def xlsx_file(recs, columns, *, sheet: str):
    """Write the workbook row by row (constant memory) to a temporary file; return it."""
    out = tempfile.TemporaryFile()
    book = spreadsheet.workbook(out, constant_memory=True, in_memory=False)
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    spreadsheet.write_row(ws, 0, [c.name for c in columns], bold)
    ws.freeze_panes(1, 0)
    for n, (_row, values) in enumerate(recs, start=1):
        spreadsheet.write_row(ws, n, values)
    book.close()
    out.seek(0)
    return out


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _primed(recs):
    """Return `recs` with its query run and its first row made now, so that a failing query
    is an error before the response's first byte, never a file cut off mid-stream."""
    recs = iter(recs)
    first = next(recs, None)

    def rest():
        if first is not None:
            yield first
            yield from recs

    return rest()


def stream(fmt: str, recs, columns, *, filename: str, sheet: str = "laporan"):
    """Return the streamed HTTP response of `recs` in format `fmt`."""
    recs = _primed(recs)
    if fmt == "xlsx":
        response = FileResponse(xlsx_file(recs, columns, sheet=sheet),
                                content_type=CONTENT_TYPES[fmt])
    else:
        body = csv_stream(recs, columns) if fmt == "csv" else geojson_stream(recs, columns)
        response = StreamingHttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def response(fmt: str, scope: Scope, *, pairs, now: datetime, open_only: bool = False):
    """The dashboard's export of a scope (the staff columns)."""
    qs = figures.narrow(open_now(scope) if open_only else received(scope), pairs, scope.tz)
    context = Context(scope.city_id, scope.tz, now)
    name = pgettext("jumlah", "laporan") + f"-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"
    return stream(fmt, records(qs, context, STAFF_COLUMNS, pairs=pairs), STAFF_COLUMNS,
                  filename=name)
