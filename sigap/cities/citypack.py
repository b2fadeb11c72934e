"""City packs: a city's areas, agencies and categories as data files under data/<city>/.

A pack is a folder with city.json (the city, its agencies, category extras), categories.csv,
kecamatan.geojson, kelurahan.geojson and kota.geojson. Loading is idempotent: a second load
of the same pack changes nothing; a changed pack updates rows in place.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction

from sigap.agencies.models import Agency, Category, CategoryAttribute
from sigap.cities import locate
from sigap.cities.models import Area, City
from sigap.cities.signals import pack_loaded

PACKS_DIR = Path(settings.BASE_DIR) / "data"


@dataclass
class LoadResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def available_packs() -> list[str]:
    return sorted(p.name for p in PACKS_DIR.iterdir() if (p / "city.json").exists())


def _upsert(model, lookup: dict, values: dict, result: LoadResult, kind: str):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.count(kind, True, False)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        result.count(kind, False, True)
    return obj


def _round_geometry(geom: dict, digits: int = 6) -> dict:
    def walk(value):
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, float):
            return round(value, digits)
        return value

    return {"type": geom["type"], "coordinates": walk(geom["coordinates"])}


def _bounds(geom: dict) -> tuple[float, float, float, float]:
    from shapely.geometry import shape

    min_lng, min_lat, max_lng, max_lat = shape(geom).bounds
    return min_lat, min_lng, max_lat, max_lng


def _load_population(folder: Path, city: City, result: LoadResult) -> None:
    """Set Area.population from population.csv (only rows whose figure has a source)."""
    path = folder / "population.csv"
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            figure = (row.get("population") or "").strip()
            source = (row.get("source") or "").strip()
            if figure and not source:
                raise ValueError(f"{path.name}: {row['code']} has a population without a source")
            year = (row.get("year") or "").strip()
            values = {"population": int(figure) if figure else None,
                      "population_source": f"{source} ({year})" if figure and year else source}
            area = Area.objects.filter(city=city, code=row["code"]).first()
            if area is None:
                raise ValueError(f"{path.name}: unknown area {row['code']}")
            _upsert(Area, {"city": city, "code": row["code"]}, values, result, row["level"])


@transaction.atomic
def load_pack(code: str, packs_dir: Path | None = None) -> LoadResult:
    """Load or update the city pack `code`; return what was created and updated."""
    folder = (packs_dir or PACKS_DIR) / code
    meta = json.loads((folder / "city.json").read_text(encoding="utf-8"))
    result = LoadResult()

    kota = json.loads((folder / "kota.geojson").read_text(encoding="utf-8"))["features"][0]
    boundary = _round_geometry(kota["geometry"])
    min_lat, min_lng, max_lat, max_lng = _bounds(boundary)
    city = _upsert(City, {"code": meta["code"]}, {
        "name": meta["name"], "official_code": meta.get("official_code", ""),
        "ticket_prefix": meta["ticket_prefix"], "timezone": meta["timezone"],
        "center_lat": meta["center"][0], "center_lng": meta["center"][1],
        "zoom": meta.get("zoom", 13),
        "min_lat": round(min_lat, 6), "min_lng": round(min_lng, 6),
        "max_lat": round(max_lat, 6), "max_lng": round(max_lng, 6),
        "boundary": boundary, "emergency_numbers": meta.get("emergency_numbers", []),
        "attribution": meta.get("attribution", ""),
        "regional_holidays": meta.get("holidays", []),
    }, result, "city")

    kecamatan: dict[str, Area] = {}
    for feature in json.loads((folder / "kecamatan.geojson").read_text("utf-8"))["features"]:
        p = feature["properties"]
        kecamatan[p["code"]] = _upsert(Area, {"city": city, "code": p["code"]}, {
            "level": Area.Level.KECAMATAN, "name": p["name"], "code_bps": p.get("code_bps", ""),
            "parent": None, "postal_code": "",
            "centroid_lat": round(p["centroid_lat"], 6),
            "centroid_lng": round(p["centroid_lng"], 6),
            "boundary": _round_geometry(feature["geometry"]),
        }, result, "kecamatan")
    for feature in json.loads((folder / "kelurahan.geojson").read_text("utf-8"))["features"]:
        p = feature["properties"]
        _upsert(Area, {"city": city, "code": p["code"]}, {
            "level": Area.Level.KELURAHAN, "name": p["name"], "code_bps": p.get("code_bps", ""),
            "parent": kecamatan[p["parent"]], "postal_code": p.get("postal_code", "") or "",
            "centroid_lat": round(p["centroid_lat"], 6),
            "centroid_lng": round(p["centroid_lng"], 6),
            "boundary": _round_geometry(feature["geometry"]),
        }, result, "kelurahan")

    _load_population(folder, city, result)

    agencies: dict[str, Agency] = {}
    for a in meta["agencies"]:
        agencies[a["code"]] = _upsert(Agency, {"city": city, "code": a["code"]}, {
            "name": a["name"], "short_name": a.get("short_name", ""),
            "is_field_agency": a.get("field", True),
        }, result, "agency")

    overrides = meta.get("category_overrides", {})
    group_of = {code: group for group, codes in meta.get("groups", {}).items() for code in codes}
    triage = meta.get("triage_agency")
    with (folder / "categories.csv").open(encoding="utf-8") as fh:
        for order, row in enumerate(csv.DictReader(fh), start=1):
            extra = overrides.get(row["code"], {})
            category = _upsert(Category, {"city": city, "code": row["code"]}, {
                "name_id": row["nama_id"], "name_en": row["name_en"],
                "description": row.get("notes", ""),
                "public_description_id": row.get("description_id", ""),
                "public_description_en": row.get("description_en", ""),
                "group": group_of.get(row["code"], ""),
                "group_en": meta.get("group_names_en", {}).get(group_of.get(row["code"], ""), ""),
                "icon": extra.get("icon", ""), "agency": agencies[row["agency_code"]],
                "response_sla_hours": float(row["response_sla_h"]),
                "resolve_sla_hours": float(row["resolve_sla_h"]),
                "priority": extra.get("priority", Category.Priority.NORMAL),
                "is_emergency": extra.get("is_emergency", False),
                "is_sensitive": extra.get("is_sensitive", False),
                "is_triage": row["agency_code"] == triage,
                "keywords": extra.get("keywords", row["name_en"].lower()),
                "order": order,
            }, result, "category")
            for position, q in enumerate(meta.get("attributes", {}).get(row["code"], []), 1):
                _upsert(CategoryAttribute, {"category": category, "code": q["code"]}, {
                    "label_id": q["label_id"], "label_en": q["label_en"],
                    "datatype": q["datatype"], "required": q.get("required", False),
                    "order": position, "values": q.get("values", []),
                }, result, "attribute")
    # More of the pack, loaded by the apps above (signals.pack_loaded).
    pack_loaded.send(sender=City, city=city, folder=folder, agencies=agencies, result=result,
                     upsert=_upsert)
    # Now for this process's next question, and again once the rows are visible to all.
    locate.reset_cache()
    transaction.on_commit(locate.reset_cache)
    return result
