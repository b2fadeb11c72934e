"""The city pack's response templates (data/<city>/response_templates.csv): ready-made public
notes a dispatcher picks and adjusts. A row with an agency code is that agency's; a row
without one is offered to every agency of the city."""

from __future__ import annotations

import csv

from sigap.backoffice.models import ResponseTemplate

FILE = "response_templates.csv"


def load_response_templates(city, folder, agencies, result, upsert) -> None:
    path = folder / FILE
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for order, row in enumerate(rows, start=1):
        code = (row.get("agency") or "").strip()
        targets = [agencies[code]] if code else list(agencies.values())
        for agency in targets:
            upsert(ResponseTemplate, {"city_id": agency.city_id, "agency": agency,
                                      "title": row["title"].strip()}, {
                "text": row["text"].strip(), "order": order, "is_active": True,
            }, result, "response_template")
