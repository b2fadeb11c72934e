"""Open311 responses in XML and JSON (the spec's "Spark" mapping between the two)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from django.http import HttpResponse

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}

# In XML a list is a wrapper element holding repeated children; in JSON it is an array.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "jurisdictions": "jurisdiction",
    "formats": "format",
    "notes": "note",
}


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        tag = ITEM_TAGS.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, tag), child)
    else:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    """Return the XML document for `value` under the element `root`, with its declaration."""
    element = ET.Element(root)
    _fill(element, value)
    body = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def respond(fmt: str, root: str, value, status: int = 200, headers=None) -> HttpResponse:
    """Return `value` as XML (under `root`) or JSON (bare, as the spec's examples show)."""
    if fmt == "json":
        body = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    else:
        fmt = "xml"
        body = to_xml(root, value)
    response = HttpResponse(body, status=status, content_type=FORMATS[fmt])
    for key, val in (headers or {}).items():
        response[key] = val
    return response


def errors(fmt: str, status: int, items: list[tuple[int, str]], headers=None) -> HttpResponse:
    """Return the spec's error list: one {code, description} per problem."""
    value = [{"code": code, "description": str(description)} for code, description in items]
    return respond(fmt, "errors", value, status=status, headers=headers)
