"""The attack suite (issue 24): every URL pattern and every API operation, found by
discovery, receives hostile values in every path parameter, query parameter, form field,
JSON field and the headers Sigap reads, signed in as each role (staff with their second
factor passed); no answer may be a 5xx, and a streamed answer must complete.

Deterministic (one seed), bounded (a few thousand requests), and it prints its request
count (and appends it to SIGAP_RELIABILITY_OUT when set). A URL added to any urls.py is
attacked without editing this file: test_discovery_* prove that discovery finds it.
"""

from __future__ import annotations

import base64
import json
import os
import random
import time
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.http import HttpResponse
from django.urls import include, path

from tests.attack import discover
from tests.reliability.harness import write_figures

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SEED = int(os.environ.get("SIGAP_ATTACK_SEED", "24"))
ROLES = ["anonymous", "citizen", "officer", "dispatcher", "head", "admin", "executive"]
DEEP = "[" * 5000 + "]" * 5000
LONG = "x" * 10_000

# Values no honest client sends; each request takes some, chosen by the seed.
STRINGS = [
    "\x00", "a\x00b", "\x01\x1f\x7f", LONG, "9999-12-31", "0001-01-01", "2026-01-01T25:00",
    "2026-02-30", "-1", "0", "99999999999999999999999", "1e309", "NaN", "-Infinity", "[]",
    "{}", "%", "../../etc/passwd", "' OR 1=1 --", "<script>alert(1)</script>",
    '=HYPERLINK("http://evil.example")', "\U0001F600" * 50, "", "true", "null", "é" * 3000,
    DEEP, "²", "\u0661\u0662", "1.5", "1,2,3",
]
# Path segments: the above that a URL can carry, plus ones aimed at files and ids.
SEGMENTS = ["X\x00", "x" * 1500, "-1", "99999999999999999999999", "..", "%25", "a b",
            "\U0001F600", "0", "KPG-2026-999999", "' OR 1=1", "²"]
# Cursors: DRF's are base64 of "o=…&p=…"; these are not what it signs or makes.
CURSORS = [base64.b64encode(s.encode()).decode() for s in (
    "p=\x00", "o=99999999999999999999999", "p=9999-12-31T25:00", "r=1&p=" + "x" * 5000,
    "o=-1", "p=2026-01-01T00:00:00Z&r=1")] + ["!!!", "%", LONG]
WRONG_TYPES = [[], {}, 1e308, -1, True, None, [[["x"]]], {"a": {"b": {"c": "d"}}}, "x" * 10_000,
               "\x00"]
HEADERS = {  # the headers Sigap reads; one hostile value each per request
    "HTTP_IDEMPOTENCY_KEY": ["\x00", LONG, "", "a" * 300],
    "HTTP_X_CLIENT_ID": ["\x00", LONG, "-1"],
    "HTTP_ACCEPT_LANGUAGE": ["xx-\x00", LONG[:3000], "*;q=NaN", "en"],
    "HTTP_ACCEPT": ["application/json", "text/html", "*/*;q=\x01", LONG[:2000]],
    "HTTP_X_FORWARDED_FOR": ["\x00", "999.999.999.999", LONG[:2000], "::1, 10.0.0.1"],
    "HTTP_AUTHORIZATION": ["Token \x00", "Token " + LONG[:500], "Bearer x", "Basic !!!"],
    "HTTP_IF_NONE_MATCH": ['"\x00"', LONG[:2000], "*"],
}
# Views that end the session or delete what later requests need run on a throwaway client.
DESTRUCTIVE = ("keluar", "hapus", "delete", "logout", "password_change", "setlang")

TALLY: dict[str, int] = {}


def report(name: str, **figures) -> None:
    from django.db import connection

    write_figures({"test": name, "leg": connection.vendor, **figures})


# --- The world under attack ------------------------------------------------------------------

@pytest.fixture
def world(kupang, make_user, make_report, now, photo, settings):
    """Reports in several states, one user per role (staff with a confirmed second factor),
    and the values a URL needs to reach a real object."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token

    from sigap.reports import services

    settings.SIGAP_SMS_INBOUND_SECRET = "attack-sms"
    users = {
        "citizen": make_user("citizen", phone="+6281234500001"),
        "officer": make_user("officer", agency="DLHK"),
        "dispatcher": make_user("dispatcher", agency="DLHK"),
        "head": make_user("head", agency="DLHK"),
        "admin": make_user("admin", is_staff=True, is_superuser=True),
        "executive": make_user("executive"),
    }
    devices = {}
    for role, user in users.items():
        if role != "citizen":
            devices[role] = TOTPDevice.objects.create(user=user, name="attack", confirmed=True)
    tokens = {role: Token.objects.get_or_create(user=u)[0].key for role, u in users.items()}
    mine = make_report(reporter=users["citizen"], contact=services.Contact(
        name="Ani", phone="0812 3456 0001"), photos=[photo()])
    other = make_report(code="ORANG_HILANG", answers={"nama_orang": "Yohana"})
    services.verify(mine.pk, actor=users["dispatcher"], now=now)
    services.assign(mine.pk, actor=users["dispatcher"], now=now, officer=users["officer"])
    photo_name = mine.photos.first().image.name
    valid = {
        "ticket": mine.ticket, "request_id": mine.ticket, "code": "SAMPAH", "fmt": "json",
        "token": "x", "agency_code": "DLHK", "action": "verify", "pk": "1",
        "object_id": str(mine.pk), "app_label": "reports", "path": photo_name,
        "content_type_id": "1", "uidb64": "MQ", "id": "1",
    }
    return {"users": users, "devices": devices, "tokens": tokens, "valid": valid,
            "tickets": (mine.ticket, other.ticket)}


def signed_in(client, world, role):
    """Sign `client` (the project's test client, conftest.Client) in as `role`: staff pass
    their second factor with their confirmed authenticator, as at every staff door."""
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


# --- Sending and judging ---------------------------------------------------------------------

class Attack:
    def __init__(self, client, world, role, rng):
        self.client, self.world, self.role, self.rng = client, world, role, rng
        self.failures: list[str] = []
        self.count = 0

    def headers(self) -> dict:
        name = self.rng.choice(sorted(HEADERS))
        return {name: self.rng.choice(HEADERS[name])}

    def send(self, method: str, url: str, *, client=None, **kwargs):
        client = client or self.client
        client.raise_request_exception = False
        self.count += 1
        try:
            response = getattr(client, method.lower())(url, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the test client raising is a failure too
            self.failures.append(f"{self.role} {method} {url[:120]}: raised {exc!r:.200}")
            return None
        if response.status_code >= 500:
            self.failures.append(f"{self.role} {method} {url[:120]}: {response.status_code}")
            return response
        if getattr(response, "streaming", False):
            try:
                b"".join(response.streaming_content)
            except Exception as exc:  # noqa: BLE001 - a file cut off mid-stream
                self.failures.append(f"{self.role} {method} {url[:120]}: "
                                     f"stream broke after the first byte: {exc!r:.200}")
        return response

    def hostile(self):
        return self.rng.choice(STRINGS)


def fill(template: str, values: dict) -> str:
    return discover.PARAM.sub(lambda m: quote(values.get(m.group(1), "1"), safe="/"), template)


def attack_pattern(attack: Attack, pattern: discover.Pattern, world) -> None:
    rng = attack.rng
    valid_url = fill(pattern.template, world["valid"])
    destructive = any(word in pattern.template or word in pattern.name for word in DESTRUCTIVE)
    client = None
    if destructive:
        from conftest import Client

        client = signed_in(Client(), world, attack.role)
    # 1. The page itself, as a client would ask for it: its forms name the fields to attack.
    fields: list[str] = []
    if not destructive:
        response = attack.send("GET", valid_url, **attack.headers())
        if response is not None and not getattr(response, "streaming", False) and \
                "html" in response.get("Content-Type", ""):
            fields = discover.form_fields(response.content.decode("utf-8", "replace"))
    names = fields or ["q", "dari", "sampai", "dinas", "kategori", "cursor", "page", "k"]
    # 2. Hostile path parameters and a hostile query string.
    hostile_path = dict(world["valid"])
    for name in pattern.params:
        hostile_path[name] = rng.choice(SEGMENTS)
    query = {n: (rng.choice(CURSORS) if n == "cursor" else attack.hostile()) for n in names}
    attack.send("GET", fill(pattern.template, hostile_path) + "?" + urlencode(query)[:20_000],
                client=client, **attack.headers())
    # 3. A hostile form body (the deletes at an object that is not there).
    body = {n: attack.hostile() for n in names}
    target = fill(pattern.template, hostile_path) if destructive else valid_url
    attack.send("POST", target, data=body, client=client, **attack.headers())
    # 4. The same URL given deep JSON, a JSON body of the wrong type, and a valid query with
    #    numbers and dates out of range.
    if not destructive and rng.random() < 0.5:
        attack.send("POST", valid_url, data=rng.choice([DEEP, "[1,", '"x"', json.dumps(
            {n: rng.choice(WRONG_TYPES) for n in names})]), content_type="application/json",
            **attack.headers())
        attack.send("GET", valid_url + "?" + urlencode({n: rng.choice(
            ["9999-12-31", "99999999999999999999999", "-1", "0001-01-01"]) for n in names}))


def attack_operation(attack: Attack, op: discover.Operation, world) -> None:
    rng = attack.rng
    token = world["tokens"].get(attack.role)
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}
    from django.test import Client

    client = Client()  # the API by its token, never the session
    values = dict(world["valid"])
    for p in op.params:
        if p.get("in") == "path":
            values[p["name"]] = rng.choice(SEGMENTS + [world["valid"].get(p["name"], "1")])
    url = fill(op.path.replace("{", "<").replace("}", ">"), values)
    query, headers = {}, dict(auth)
    for p in op.params:
        name = p.get("name", "")
        value = rng.choice(CURSORS) if name == "cursor" else attack.hostile()
        if p.get("in") == "query":
            query[name] = value
        elif p.get("in") == "header" and name.lower() != "authorization":
            headers["HTTP_" + name.upper().replace("-", "_")] = value[:5000]
    if query:
        url += "?" + urlencode(query)[:20_000]
    kinds = [{n: attack.hostile() for n in op.body},
             {n: rng.choice(WRONG_TYPES) for n in op.body}]
    for data in kinds:
        if op.method == "GET":
            attack.send("GET", url, client=client, **headers)
            break
        if op.media == "application/json" or not op.media:
            attack.send(op.method, url, data=json.dumps(data), content_type="application/json",
                        client=client, **headers)
        else:
            flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
            attack.send(op.method, url, data=flat, client=client, **headers)
    if op.method != "GET":
        attack.send(op.method, url, data=DEEP, content_type="application/json", client=client,
                    **headers)


def _documents(client) -> list[tuple[dict, str]]:
    rest = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT="application/json")
    assert rest.status_code == 200
    open311 = client.get("/open311/v2/openapi.json")
    assert open311.status_code == 200
    doc311 = open311.json()
    docs = [json.loads(rest.content), doc311]
    # Paths are relative to the document's server (Open311's: /open311/v2).
    return [(d, urlsplit((d.get("servers") or [{"url": ""}])[0]["url"]).path.rstrip("/"))
            for d in docs]


# --- The tests ---------------------------------------------------------------------------------

def _probe(request):
    return HttpResponse("probe")


urlpatterns = [  # this module as a URLconf: the project's URLs plus one new one
    path("attack-probe/<str:thing>/", _probe, name="attack-probe"),
    path("", include("sigap.urls")),
]


def test_discovery_finds_every_url_pattern():
    found = discover.url_patterns()
    assert len(found) == discover.count_patterns() > 100
    templates = {p.template for p in found}
    assert {"/r/<ticket>/dukung", "/dasbor/ekspor.csv", "/api/v1/reports/",
            "/kanal/whatsapp/"} <= templates


@pytest.mark.urls("tests.attack.test_attack")
def test_discovery_covers_a_new_url_without_editing_the_suite():
    found = discover.url_patterns()
    assert "/attack-probe/<thing>/" in {p.template for p in found}
    assert len(found) == discover.count_patterns("tests.attack.test_attack")


def test_discovery_reads_every_operation_of_both_openapi_documents(client, kupang):
    docs = _documents(client)
    for doc, base in docs:
        expected = sum(1 for item in doc["paths"].values()
                       for m in ("get", "post", "put", "patch", "delete") if m in item)
        assert len(discover.operations(doc, base)) == expected > 0
    rest_ops = discover.operations(*docs[0])
    assert any(op.body for op in rest_ops) and any(op.params for op in rest_ops)


@pytest.mark.parametrize("role", ROLES)
def test_no_hostile_input_is_a_server_error(client, world, role):
    rng = random.Random(f"{SEED}:{role}")
    attack = Attack(signed_in(client, world, role), world, role, rng)
    started = time.monotonic()
    for pattern in discover.url_patterns():
        attack_pattern(attack, pattern, world)
    for doc, base in _documents(client):
        for op in discover.operations(doc, base):
            attack_operation(attack, op, world)
    TALLY[role] = attack.count
    report("attack", role=role, requests=attack.count, failures=len(attack.failures),
           seconds=round(time.monotonic() - started, 1), seed=SEED)
    assert not attack.failures, "\n".join(attack.failures[:60])
