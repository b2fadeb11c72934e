"""What the attack suite attacks, found rather than listed: every URL pattern from Django's
resolver and every operation of the two OpenAPI documents (REST and Open311)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.contrib.admindocs.views import simplify_regex
from django.urls import URLResolver, get_resolver

PARAM = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Pattern:
    template: str  # "/r/<ticket>/dukung"
    name: str  # the URL name (namespace:name), or "" when it has none
    params: tuple[str, ...]


def url_patterns(urlconf=None) -> list[Pattern]:
    """Return every URL pattern of `urlconf` (the project's by default), in resolver order."""
    found: list[Pattern] = []

    def walk(patterns, prefix: str, namespace: str):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            else:
                template = simplify_regex(prefix + str(p.pattern))
                template = PARAM.sub(r"<\1>", re.sub(r"\\(.)", r"\1", template))
                found.append(Pattern(template, f"{namespace}{p.name or ''}",
                                     tuple(PARAM.findall(template))))

    walk(get_resolver(urlconf).url_patterns, "", "")
    return found


def count_patterns(urlconf=None) -> int:
    """Return how many URL patterns the resolver holds (a second count, by Django's own
    reverse dictionary, that discovery must agree with)."""
    def walk(patterns) -> int:
        return sum(walk(p.url_patterns) if isinstance(p, URLResolver) else 1
                   for p in patterns)

    return walk(get_resolver(urlconf).url_patterns)


@dataclass
class Operation:
    method: str
    path: str  # "/api/v1/reports/{ticket}/verify/"
    params: list[dict] = field(default_factory=list)  # OpenAPI parameter objects
    body: dict = field(default_factory=dict)  # property name -> schema
    media: str = ""  # the request body's media type, if any


def _resolve(schema: dict, doc: dict) -> dict:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 10:
        node = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node.get(part, {})
        schema, seen = node, seen + 1
    return schema if isinstance(schema, dict) else {}


def operations(doc: dict, base: str = "") -> list[Operation]:
    """Return every operation of an OpenAPI document, with its parameters and body fields."""
    ops = []
    for path, item in sorted(doc.get("paths", {}).items()):
        shared = item.get("parameters", [])
        for method in ("get", "post", "put", "patch", "delete"):
            op = item.get(method)
            if op is None:
                continue
            params = [_resolve(p, doc) for p in shared + op.get("parameters", [])]
            body, media = {}, ""
            content = _resolve(op.get("requestBody", {}), doc).get("content", {})
            for media in ("application/json", "multipart/form-data",
                          "application/x-www-form-urlencoded"):
                if media in content:
                    schema = _resolve(content[media].get("schema", {}), doc)
                    body = {k: _resolve(v, doc) for k, v in schema.get("properties", {}).items()}
                    break
            else:
                media = ""
            ops.append(Operation(method.upper(), base + path, params, body, media))
    return ops


class FormFields(HTMLParser):
    """The names of a page's form fields (input, select, textarea), in order, once each."""

    def __init__(self):
        super().__init__()
        self.names: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("input", "select", "textarea", "button"):
            name = dict(attrs).get("name")
            if name and name not in self.names:
                self.names.append(name)


def form_fields(html: str) -> list[str]:
    parser = FormFields()
    try:
        parser.feed(html)
    except Exception:  # noqa: BLE001 - a page that is not HTML has no fields
        return []
    return parser.names
