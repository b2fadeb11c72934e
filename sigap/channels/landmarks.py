"""A city's known places (landmarks), from its pack's landmarks.csv and the admin.

The file (data/<city>/landmarks.csv, UTF-8, one place a row):

    name,aliases,lat,lng,kelurahan,source,licence

- `name`: how the place is offered back to the citizen ("Maksud Anda …?").
- `aliases`: other names people type, separated by ";" (spellings, abbreviations, old names).
- `lat`, `lng`: WGS 84 decimal degrees, inside the city.
- `kelurahan`: the kelurahan's name or Kemendagri code; empty: found from the coordinates.
- `source`, `licence`: where the coordinates come from and under which licence (both
  required: a row without them is refused, so the pack holds only places the city may use).

Loaded with the pack (`sigap loadcity <city>`, `sigap setup`): a row is matched on (city,
name) and updated in place; rows the file no longer has are left alone (the administrator
may have added them in the admin).
"""

from __future__ import annotations

import csv
from pathlib import Path

from sigap.channels.models import Landmark
from sigap.cities.locate import OutsideCity, locate
from sigap.cities.models import Area

FILE = "landmarks.csv"
COLUMNS = ("name", "aliases", "lat", "lng", "kelurahan", "source", "licence")


class LandmarkFileError(ValueError):
    pass


def read(path: Path) -> list[dict]:
    """Return the rows of a landmarks file, checked (raise LandmarkFileError)."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise LandmarkFileError(f"{path.name}: missing columns {', '.join(missing)}")
        rows = []
        for line, row in enumerate(reader, start=2):
            row = {k: (row.get(k) or "").strip() for k in COLUMNS}
            if not row["name"]:
                raise LandmarkFileError(f"{path.name}:{line}: a landmark needs a name")
            if not row["source"] or not row["licence"]:
                raise LandmarkFileError(
                    f"{path.name}:{line}: {row['name']}: the source and licence of its "
                    "coordinates are required")
            try:
                row["lat"], row["lng"] = float(row["lat"]), float(row["lng"])
            except ValueError:
                raise LandmarkFileError(
                    f"{path.name}:{line}: {row['name']}: lat/lng are not numbers") from None
            if not (-90 <= row["lat"] <= 90 and -180 <= row["lng"] <= 180):
                raise LandmarkFileError(f"{path.name}:{line}: {row['name']}: lat/lng out of range")
            rows.append(row)
    return rows


def kelurahan_for(city, value: str, lat: float, lng: float) -> Area | None:
    """The kelurahan a landmark lies in: named (or coded) in the file, else located."""
    kelurahan = Area.objects.filter(city=city, level=Area.Level.KELURAHAN)
    if value:
        found = (kelurahan.filter(code=value).first()
                 or kelurahan.filter(name__iexact=value).first())
        if found is None:
            raise LandmarkFileError(f"unknown kelurahan {value!r}")
        return found
    try:
        located = locate(city, lat, lng)
    except OutsideCity:
        raise LandmarkFileError(f"({lat}, {lng}) is outside {city.name}") from None
    return kelurahan.filter(pk=located.kelurahan_id).first()


def load_landmarks(city, folder: Path, agencies, result, upsert) -> None:
    """The city pack's loader (registered in ChannelsConfig.ready)."""
    path = folder / FILE
    if not path.exists():
        return
    for row in read(path):
        try:
            area = kelurahan_for(city, row["kelurahan"], row["lat"], row["lng"])
        except LandmarkFileError as exc:
            raise LandmarkFileError(f"{FILE}: {row['name']}: {exc}") from None
        upsert(Landmark, {"city": city, "name": row["name"]}, {
            "aliases": row["aliases"], "lat": row["lat"], "lng": row["lng"], "kelurahan": area,
            "source": row["source"], "licence": row["licence"], "is_active": True,
        }, result, "landmark")
