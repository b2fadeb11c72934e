"""REST API v1: reports, support, comments, my reports, categories, areas, tokens."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import jpeg_bytes
from sigap.reports import services
from sigap.reports.models import Report

pytestmark = pytest.mark.django_db
PENFUI = {"lat": -10.1716, "lng": 123.6711}


def new_report(**extra):
    data = {"category": "SAMPAH", **PENFUI, "description": "Sampah di selokan",
            "answers": '{"volume": "kecil"}'}
    data.update(extra)
    return data


def test_it_lists_categories_with_their_questions(api):
    response = api.get("/api/v1/categories/")
    assert response.status_code == 200
    sampah = next(c for c in response.json() if c["code"] == "SAMPAH")
    assert sampah["agency"] == "DLHK"
    assert sampah["attributes"][0]["code"] == "volume"
    assert [c["key"] for c in sampah["attributes"][0]["choices"]] == ["kecil", "sedang", "besar"]


@pytest.mark.parametrize("level,count", [("kecamatan", 6), ("kelurahan", 51)])
def test_it_serves_areas_as_geojson(api, level, count):
    body = api.get("/api/v1/areas/", {"level": level}).json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == count
    feature = body["features"][0]
    assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert feature["properties"]["level"] == level


def test_it_refuses_an_unknown_area_level(api):
    assert api.get("/api/v1/areas/", {"level": "provinsi"}).status_code == 400


def test_it_trades_username_and_password_for_a_token(api, make_user):
    user = make_user("citizen", username="maria")
    response = api.post("/api/v1/auth/token/", {"username": "maria", "password": "pw-Sigap-2026"})
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/reports/mine/").status_code == 200
    bad = api.post("/api/v1/auth/token/", {"username": "maria", "password": "salah"})
    assert bad.status_code == 400 and "token" not in bad.json()
    assert user.auth_token.key == token


def test_it_creates_a_report_with_photos(api):
    data = new_report(photos=[SimpleUploadedFile("a.jpg", jpeg_bytes()),
                              SimpleUploadedFile("b.jpg", jpeg_bytes())])
    response = api.post("/api/v1/reports/", data, format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    report = Report.objects.get(ticket=body["ticket"])
    assert (report.source, report.photos.count()) == ("api", 2)
    assert body["kelurahan"] == "Penfui" and len(body["photos"]) == 2
    assert body["tracking_url"].endswith(report.tracking_url())


def test_it_replays_a_retried_create_with_the_same_idempotency_key(api, make_user, as_user):
    first = api.post("/api/v1/reports/", new_report(), HTTP_IDEMPOTENCY_KEY="abc",
                     HTTP_X_CLIENT_ID="hp-1")
    again = api.post("/api/v1/reports/", new_report(), HTTP_IDEMPOTENCY_KEY="abc",
                     HTTP_X_CLIENT_ID="hp-1")
    assert first.json()["ticket"] == again.json()["ticket"]
    assert again["Idempotent-Replayed"] == "true" and Report.objects.count() == 1
    # Another client (or a signed-in user) with the same key is another scope.
    other = api.post("/api/v1/reports/", new_report(), HTTP_IDEMPOTENCY_KEY="abc",
                     HTTP_X_CLIENT_ID="hp-2")
    mine = as_user(make_user()).post("/api/v1/reports/", new_report(),
                                     HTTP_IDEMPOTENCY_KEY="abc")
    assert len({first.json()["ticket"], other.json()["ticket"], mine.json()["ticket"]}) == 3


@pytest.mark.parametrize("change,field", [
    ({"lat": "NaN"}, "lat"),
    ({"lng": "abc"}, "lng"),
    ({"lat": "-10.10", "lng": "123.58"}, "location"),
    ({"category": "NOPE"}, "category"),
    ({"answers": "{}"}, "attribute[volume]"),
    ({"answers": "[1]"}, "answers"),
    ({"answers": "{not json"}, "answers"),
    ({"description": ""}, "description"),
    ({"photos": [SimpleUploadedFile("a.jpg", b"not an image")]}, "photos"),
    ({"contact_email": "x"}, "contact_email"),
])
def test_it_refuses_bad_reports_and_saves_nothing(api, change, field):
    response = api.post("/api/v1/reports/", new_report(**change), format="multipart")
    assert response.status_code == 400
    assert field in response.json()
    assert not Report.objects.exists()


@pytest.fixture
def listed(make_report, now, make_user):
    admin = make_user("admin")
    a = make_report("SAMPAH", at=now - timedelta(days=3), **PENFUI)
    b = make_report("JALAN_RUSAK", at=now - timedelta(days=2), lat=-10.1760, lng=123.5546)
    c = make_report("SAMPAH", at=now - timedelta(days=1), lat=-10.1760, lng=123.5546)
    hidden = make_report(at=now)
    services.reject(hidden.pk, actor=admin, now=now, reason="spam")
    services.verify(c.pk, actor=admin, now=now)
    return a, b, c


def tickets(response):
    assert response.status_code == 200, response.content
    return [r["ticket"] for r in response.json()["results"]]


def test_it_lists_public_reports_newest_first_with_filters(api, listed):
    a, b, c = listed
    url = "/api/v1/reports/"
    assert tickets(api.get(url)) == [c.ticket, b.ticket, a.ticket]
    assert tickets(api.get(url, {"category": "SAMPAH"})) == [c.ticket, a.ticket]
    assert tickets(api.get(url, {"status": "verified"})) == [c.ticket]
    assert tickets(api.get(url, {"kecamatan": a.kecamatan.code})) == [a.ticket]
    assert tickets(api.get(url, {"created_after": (a.created_at + timedelta(hours=1))
                                 .isoformat()})) == [c.ticket, b.ticket]
    assert tickets(api.get(url, {"bbox": "123.55,-10.18,123.56,-10.17"})) == [c.ticket, b.ticket]


@pytest.mark.parametrize("params", [{"bbox": "1,2"}, {"bbox": "a,b,c,d"},
                                    {"created_after": "kemarin"}, {"status": "nope"},
                                    {"bbox": "nan,1,2,3"}])
def test_it_refuses_bad_list_filters(api, params):
    assert api.get("/api/v1/reports/", params).status_code == 400


def test_it_pages_with_a_cursor_and_caps_the_page_size(api, listed):
    a, b, c = listed
    first = api.get("/api/v1/reports/", {"page_size": 2}).json()
    assert [r["ticket"] for r in first["results"]] == [c.ticket, b.ticket]
    second = api.get(first["next"]).json()
    assert [r["ticket"] for r in second["results"]] == [a.ticket] and second["next"] is None
    assert len(api.get("/api/v1/reports/", {"page_size": 10**9}).json()["results"]) == 3


def test_it_lists_in_a_fixed_number_of_queries(api, listed, make_report,
                                               django_assert_max_num_queries):
    for _ in range(10):
        make_report()
    with django_assert_max_num_queries(3):
        assert len(tickets(api.get("/api/v1/reports/"))) == 13


def test_it_shows_a_public_timeline_without_names_or_contacts(api, make_report, make_user,
                                                              now, as_user):
    report = make_report(contact=services.Contact(name="Maria", phone="0812 3456 7890"))
    dispatcher = make_user("dispatcher", agency="DLHK", first_name="Budi")
    services.verify(report.pk, actor=dispatcher, now=now)
    services.add_note(report.pk, actor=dispatcher, now=now, text="internal", public=False)
    body = api.get(f"/api/v1/reports/{report.ticket}/").json()
    assert [e["kind"] for e in body["timeline"]] == ["created", "status"]
    assert all(e["actor"] is None for e in body["timeline"])
    assert body["contact"] is None and "Maria" not in str(body) and "Budi" not in str(body)
    staff = as_user(dispatcher).get(f"/api/v1/reports/{report.ticket}/").json()
    assert [e["kind"] for e in staff["timeline"]] == ["created", "status", "internal_note"]
    assert staff["timeline"][1]["actor"] == "Budi" and staff["contact"]["name"] == "Maria"


def test_it_hides_the_exact_place_and_photos_of_sensitive_reports(api, make_report):
    report = make_report("KESEHATAN", lat=-10.171623, lng=123.671145, photos=[jpeg_bytes()],
                         address="Jl. Rahasia 1")
    body = api.get(f"/api/v1/reports/{report.ticket}/").json()
    assert (body["lat"], body["lng"]) == report.public_location() != (report.lat, report.lng)
    assert body["photos"] == [] and body["address"] == ""


def test_it_shows_non_public_reports_only_to_their_reporter_and_staff(api, make_report,
                                                                     make_user, as_user, now):
    citizen = make_user()
    report = make_report(reporter=citizen)
    services.reject(report.pk, actor=make_user("admin"), now=now, reason="spam")
    url = f"/api/v1/reports/{report.ticket}/"
    assert api.get(url).status_code == 404
    assert as_user(make_user()).get(url).status_code == 404
    assert as_user(citizen).get(url).status_code == 200
    assert as_user(make_user("dispatcher", agency="DLHK")).get(url).status_code == 200
    assert api.get("/api/v1/reports/KPG-2026-999999/").status_code == 404


def test_it_counts_support_once_per_person(api, as_user, make_report, make_user):
    report = make_report()
    url = f"/api/v1/reports/{report.ticket}/support/"
    ina, budi = as_user(make_user()), as_user(make_user())
    assert ina.post(url, HTTP_X_CLIENT_ID="a").json() == {"supported": True, "support_count": 1}
    assert ina.post(url, HTTP_X_CLIENT_ID="b").json() == {"supported": False,
                                                          "support_count": 1}
    assert budi.post(url).json()["support_count"] == 2


def test_a_client_cannot_support_again_by_changing_its_header(api, make_report):
    """The support was keyed by X-Client-Id, which the client chooses: anonymous support
    through the API is refused, so one client cannot count any number of times."""
    report = make_report()
    url = f"/api/v1/reports/{report.ticket}/support/"
    codes = [api.post(url, HTTP_X_CLIENT_ID=name).status_code for name in ("a", "b", "c")]
    report.refresh_from_db()
    assert report.support_count == 0
    assert set(codes) == {401}


def test_it_takes_comments_from_signed_in_citizens_only(api, make_report, make_user, as_user):
    report = make_report()
    url = f"/api/v1/reports/{report.ticket}/comments/"
    assert api.post(url, {"text": "Saya juga lihat"}).status_code == 401
    assert as_user(make_user()).post(url, {"text": ""}).status_code == 400
    response = as_user(make_user()).post(url, {"text": "Saya juga lihat"})
    assert response.status_code == 201
    assert [c["note"] for c in api.get(url).json()] == ["Saya juga lihat"]


def test_it_lists_only_my_reports(api, make_report, make_user, as_user):
    me = make_user()
    mine = make_report(reporter=me)
    make_report(reporter=make_user())
    assert api.get("/api/v1/reports/mine/").status_code == 401
    assert tickets(as_user(me).get("/api/v1/reports/mine/")) == [mine.ticket]


@pytest.mark.parametrize("value", ["0184-05-22T11:26:08+20:34", "0001-01-01T00:00:00+23:00"])
def test_it_handles_extreme_dates_without_a_server_error(api, listed, value):
    assert api.get("/api/v1/reports/", {"created_after": value}).status_code in (200, 400)


def test_it_serves_the_openapi_schema_and_local_swagger_ui(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = set(schema["paths"])
    for action in ("verify", "reject", "assign", "start", "resolve", "close", "reopen",
                   "mark-duplicate", "reassign"):
        assert f"/api/v1/reports/{{ticket}}/{action}/" in paths
    assert {"/api/v1/reports/", "/api/v1/categories/", "/api/v1/areas/",
            "/api/v1/auth/token/", "/api/v1/reports/mine/"} <= paths
    docs = api.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs.split("<body")[0]
    from django.contrib.staticfiles import finders

    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}")


def test_it_shows_a_report_in_a_fixed_number_of_queries(as_user, make_report, make_user, now,
                                                        django_assert_max_num_queries):
    report = make_report(photos=[jpeg_bytes(), jpeg_bytes()])
    dispatcher = make_user("dispatcher", agency="DLHK")
    for i in range(8):
        services.add_note(report.pk, actor=dispatcher, now=now, text=f"n{i}", public=i % 2)
    client = as_user(dispatcher)
    with django_assert_max_num_queries(6):
        body = client.get(f"/api/v1/reports/{report.ticket}/").json()
    assert len(body["timeline"]) == 9 and len(body["photos"]) == 2


def test_the_root_links_to_every_resource_and_the_docs(api):
    body = api.get("/api/v1/").json()
    assert body["reports"].endswith("/api/v1/reports/")
    assert body["docs"].endswith("/api/docs/") and body["schema"].endswith("/api/schema/")
    for name in ("categories", "areas", "my_reports", "open311"):
        assert body[name].startswith("http://testserver/"), name
    assert api.get(body["categories"].removeprefix("http://testserver")).status_code == 200


def test_it_takes_answers_as_a_json_object_in_a_json_body(api):
    body = {"category": "SAMPAH", **PENFUI, "description": "Sampah di selokan",
            "answers": {"volume": "kecil"}}
    response = api.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Report.objects.get(ticket=response.json()["ticket"]).answers == {"volume": "kecil"}
    # The text of an object still works (multipart forms can only send text) ...
    response = api.post("/api/v1/reports/", new_report())
    assert response.status_code == 201, response.json()
    # ... and anything but an object is refused.
    bad = api.post("/api/v1/reports/", {**body, "answers": ["kecil"]}, format="json")
    assert bad.status_code == 400 and "answers" in bad.json()
