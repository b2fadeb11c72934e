"""The city pack's paging.csv: which categories page the on-duty team, and how."""

from __future__ import annotations

import csv

from sigap.agencies.models import Category
from sigap.duty.models import PagingRule

FILE = "paging.csv"
TRUE = {"1", "yes", "ya", "true"}


def load_paging_rules(city, folder, agencies, result, upsert) -> None:
    """Upsert a PagingRule per row of data/<city>/paging.csv (cities.signals.pack_loaded)."""
    path = folder / FILE
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    categories = {c.code: c for c in Category.objects.filter(city=city)}
    for row in rows:
        category = categories.get(row["category"].strip())
        if category is None:
            raise ValueError(f"{FILE}: unknown category {row['category']!r}")
        upsert(PagingRule, {"category": category}, {
            "page": row["page"].strip().lower() in TRUE,
            "ack_minutes": int(row["ack_minutes"]),
            "repages": int(row["repages"]),
            "escalate_after_minutes": int(row["escalate_after_minutes"]),
        }, result, "paging_rule")
