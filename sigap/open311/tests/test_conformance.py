"""GeoReport v2 conformance: every endpoint in XML and JSON, every argument, every error.

XML is parsed with xml.etree; the checklist follows the spec (see docs in OPEN311 notes).
"""

from datetime import timedelta

import pytest
from django.utils.dateparse import parse_datetime

from conftest import jpeg_bytes
from sigap.open311.models import ApiKey, RequestMeta
from sigap.reports import services, tasks
from sigap.reports.models import Photo, Report

pytestmark = pytest.mark.django_db
FORMATS = ["xml", "json"]
INSIDE = {"lat": "-10.1716", "long": "123.6711"}  # Penfui, Maulafa


def items(body, fmt, tag="request"):
    """Return a list response as dicts of text (XML) or the JSON list itself."""
    if fmt == "json":
        return body
    return [{child.tag: child.text for child in element} for element in body.findall(tag)]


def error_codes(body, fmt):
    if fmt == "json":
        return [e["code"] for e in body]
    assert body.tag == "errors"
    return [int(e.findtext("code")) for e in body.findall("error")]


def valid_post(key, **extra):
    data = {"api_key": key, "service_code": "SAMPAH", **INSIDE,
            "description": "Sampah menumpuk di pinggir jalan", "attribute[volume]": "besar"}
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


# --- Discovery ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_it_serves_service_discovery_in_both_formats(o311, fmt, now):
    response, body = o311.get("discovery", fmt)
    assert response.status_code == 200
    if fmt == "xml":
        assert body.tag == "discovery"
        endpoint = body.find("endpoints/endpoint")
        value = {"changeset": body.findtext("changeset"), "contact": body.findtext("contact"),
                 "key_service": body.findtext("key_service")}
        formats = [f.text for f in endpoint.findall("formats/format")]
        spec, url = endpoint.findtext("specification"), endpoint.findtext("url")
    else:
        value = body
        formats = body["endpoints"][0]["formats"]
        spec, url = body["endpoints"][0]["specification"], body["endpoints"][0]["url"]
    assert value["contact"] and value["key_service"]
    assert parse_datetime(value["changeset"]) < now
    assert "text/xml" in formats and "application/json" in formats
    assert spec == "http://wiki.open311.org/GeoReport_v2"
    assert url == "http://testserver/open311/v2/"


# --- Services ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_it_lists_services_with_the_required_fields(o311, fmt, kupang):
    from sigap.agencies.models import Category

    Category.objects.filter(city=kupang, code="MACET").update(is_active=False)
    response, body = o311.get("services", fmt)
    assert response.status_code == 200
    services_ = items(body, fmt, "service")
    assert len(services_) == Category.objects.filter(city=kupang, is_active=True).count() == 18
    assert "MACET" not in {s["service_code"] for s in services_}
    by_code = {s["service_code"]: s for s in services_}
    sampah = by_code["SAMPAH"]
    assert sampah["service_name"] == "Sampah"
    assert str(sampah["metadata"]).lower() == "true"
    assert str(by_code["LALIN_RUSAK"]["metadata"]).lower() == "false"
    assert all(s["type"] == "realtime" for s in services_)
    assert sampah["group"] == "DLHK"


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_describes_a_service_with_ordered_typed_attributes(o311, fmt):
    response, body = o311.get("services/ORANG_HILANG", fmt)
    assert response.status_code == 200
    if fmt == "xml":
        assert body.tag == "service_definition"
        attrs = [{c.tag: c.text for c in a} for a in body.findall("attributes/attribute")]
    else:
        attrs = body["attributes"]
    assert [a["code"] for a in attrs] == ["nama_orang", "terakhir_dilihat"]
    assert [str(a["order"]) for a in attrs] == ["1", "2"]
    assert [a["datatype"] for a in attrs] == ["string", "datetime"]
    assert [str(a["required"]).lower() for a in attrs] == ["true", "false"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_lists_the_values_of_list_attributes(o311, fmt):
    response, body = o311.get("services/SAMPAH", fmt)
    if fmt == "xml":
        keys = [v.findtext("key") for v in body.findall("attributes/attribute/values/value")]
    else:
        keys = [v["key"] for v in body["attributes"][0]["values"]]
    assert keys == ["kecil", "sedang", "besar"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_answers_404_for_an_unknown_service(o311, fmt):
    response, body = o311.get("services/NOPE", fmt)
    assert response.status_code == 404 and error_codes(body, fmt) == [404]


# --- Jurisdiction, formats, methods -----------------------------------------------------------

PATHS = ["discovery", "services", "services/SAMPAH", "requests", "tokens/x"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("path", PATHS)
def test_it_refuses_a_wrong_jurisdiction_and_accepts_the_city_or_none(o311, fmt, path):
    response, body = o311.get(path, fmt, jurisdiction_id="jakarta")
    assert response.status_code == 404 and error_codes(body, fmt) == [404]
    expected = 404 if path.startswith("tokens") else 200
    assert o311.get(path, fmt, jurisdiction_id="kupang")[0].status_code == expected
    assert o311.get(path, fmt)[0].status_code == expected
    assert o311.get(path, fmt, jurisdiction_id="")[0].status_code == expected


@pytest.mark.parametrize("url", ["/open311/v2/services.html", "/open311/v2/requests.csv",
                                 "/open311/v2/nothing.xml", "/open311/v2/services"])
def test_it_answers_unknown_formats_and_paths_with_an_xml_error(o311, url):
    response = o311.client.get(url)
    body = o311.parse(response, "xml")
    assert response.status_code == 404 and error_codes(body, "xml") == [404]


def test_it_answers_unknown_json_paths_in_json(o311):
    response = o311.client.get("/open311/v2/nothing.json")
    assert response.status_code == 404
    assert error_codes(o311.parse(response, "json"), "json") == [404]


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_refuses_other_methods(o311, fmt):
    response = o311.client.put(f"/open311/v2/services.{fmt}")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert error_codes(o311.parse(response, fmt), fmt) == [405]


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_issues_no_tokens_because_every_service_is_realtime(o311, fmt, make_report):
    report = make_report()
    response, body = o311.get(f"tokens/{report.ticket}", fmt)
    assert response.status_code == 404 and error_codes(body, fmt) == [404]


# --- POST requests ------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_it_creates_a_request_through_the_one_service_layer(o311, fmt, api_key):
    response, body = o311.post(fmt, valid_post(api_key, email="warga@example.com",
                                               first_name="Maria", last_name="Ndun",
                                               phone="0812 3456 7890", device_id="dev-1",
                                               account_id="acc-9"))
    assert response.status_code == 200
    (created,) = items(body, fmt)
    assert "token" not in created
    report = Report.objects.get(ticket=created["service_request_id"])
    assert created["account_id"] == "acc-9"
    assert (report.source, report.external_app) == ("open311", "Aplikasi Uji")
    assert report.agency.code == "DLHK" and report.kelurahan.name == "Penfui"
    assert report.answers == {"volume": "besar"}
    assert (report.contact_name, report.contact_email) == ("Maria Ndun", "warga@example.com")
    assert report.events.get().kind == "created"
    assert RequestMeta.objects.get(report=report).device_id == "dev-1"

    response, body = o311.get(f"requests/{report.ticket}", fmt)
    (item,) = items(body, fmt)
    assert item["service_code"] == "SAMPAH" and item["status"] == "open"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert item[name].endswith("+08:00") and parse_datetime(item[name]).tzinfo


def test_it_accepts_a_multipart_photo_as_media(o311, api_key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    response, body = o311.post("json", valid_post(api_key, description="", media=upload))
    assert response.status_code == 200
    report = Report.objects.get(ticket=body[0]["service_request_id"])
    photo = report.photos.get()
    assert photo.kind == Photo.Kind.REPORT
    _r, listed = o311.get(f"requests/{report.ticket}")
    assert listed[0]["media_url"] is None  # withheld until its faces and plates are blurred
    tasks.anonymise_photo.call_local(photo.pk)
    photo.refresh_from_db()
    _r, listed = o311.get(f"requests/{report.ticket}")
    assert listed[0]["media_url"] == f"http://testserver{photo.public_image.url}"


def test_it_accepts_media_brackets_too(o311, api_key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = valid_post(api_key)
    data["media[]"] = SimpleUploadedFile("a.png", jpeg_bytes(fmt="PNG"), content_type="image/png")
    response, body = o311.post("xml", data)
    assert response.status_code == 200
    assert Photo.objects.count() == 1


def test_it_keeps_media_url_as_a_reference_without_fetching_it(o311, api_key):
    url = "https://foto.example.org/sampah.jpg"
    response, body = o311.post("json", valid_post(api_key, media_url=url))
    ticket = body[0]["service_request_id"]
    assert not Photo.objects.exists()
    assert o311.get(f"requests/{ticket}")[1][0]["media_url"] == url


def test_it_shows_sensitive_requests_with_a_rounded_location_and_no_media(o311, api_key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = valid_post(api_key, service_code="KESEHATAN", lat="-10.171623", long="123.671145",
                      media_url="https://foto.example.org/x.jpg")
    data.pop("attribute[volume]")
    data["media"] = SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")
    response, body = o311.post("json", data)
    assert response.status_code == 200, body
    item = o311.get(f"requests/{body[0]['service_request_id']}")[1][0]
    report = Report.objects.get()
    assert (item["lat"], item["long"]) == report.public_location()
    assert (item["lat"], item["long"]) != (report.lat, report.lng)
    assert item["media_url"] is None
    assert "-10.171623" not in str(item)


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_locates_a_request_by_address_id(o311, fmt, api_key, kupang):
    from sigap.cities.models import Area

    area = Area.objects.get(city=kupang, code="53.71.01.1001")
    data = valid_post(api_key, lat=None, long=None, address_id="53.71.01.1001")
    response, body = o311.post(fmt, data)
    assert response.status_code == 200
    report = Report.objects.get()
    assert (report.lat, report.lng) == (area.centroid_lat, area.centroid_lng)
    assert report.kelurahan == area


def test_it_locates_a_request_by_a_kelurahan_named_in_address_string(o311, api_key):
    data = valid_post(api_key, lat=None, long=None,
                      address_string="Jl. Timor Raya dekat pasar, Kel. Nunbaun Sabu, Alak")
    response, body = o311.post("json", data)
    assert response.status_code == 200, body
    report = Report.objects.get()
    assert report.kelurahan.name == "Nunbaun Sabu"
    assert report.address.startswith("Jl. Timor Raya")


def test_it_accepts_list_attributes_in_bracket_form(o311, api_key, category):
    from sigap.agencies.models import CategoryAttribute

    CategoryAttribute.objects.create(
        category=category("MACET"), code="arah", label_id="Arah", label_en="Direction",
        datatype="multivaluelist", required=True, order=1,
        values=[["utara", "Utara", "North"], ["selatan", "Selatan", "South"]])
    data = valid_post(api_key, service_code="MACET")
    data.pop("attribute[volume]")
    data["attribute[arah][]"] = ["utara", "selatan"]
    response, body = o311.post("json", data)
    assert response.status_code == 200, body
    assert Report.objects.get().answers == {"arah": ["utara", "selatan"]}


def test_it_replays_a_retried_post_with_the_same_idempotency_key(o311, api_key):
    data = valid_post(api_key, device_id="hp-1")
    first = o311.post("json", data, HTTP_IDEMPOTENCY_KEY="k-1")[1]
    second = o311.post("json", data, HTTP_IDEMPOTENCY_KEY="k-1")[1]
    assert first[0]["service_request_id"] == second[0]["service_request_id"]
    assert Report.objects.count() == 1 and RequestMeta.objects.count() == 1


def test_it_records_which_key_sent_a_request_and_stores_extras_only_when_sent(o311, api_key):
    from sigap.reports.models import ReportEvent

    o311.post("json", valid_post(api_key))
    report = Report.objects.get()
    created = ReportEvent.objects.get(report=report, kind=ReportEvent.Kind.CREATED)
    key = ApiKey.objects.get()
    assert created.data == {"api_key": key.pk, "source": "open311"}
    assert report.external_app == key.name
    assert not RequestMeta.objects.exists()  # nothing beyond our model was sent


def _revoked_key(now):
    key, raw = ApiKey.issue("Lama", now=now)
    key.revoke(now=now)
    return raw


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("change,status,words", [
    ({"api_key": None}, 403, "api_key"),
    ({"api_key": "not-a-key"}, 403, "api_key"),
    ({"api_key": "REVOKED"}, 403, "api_key"),
    ({"service_code": None}, 400, "service_code"),
    ({"service_code": "NOPE"}, 404, "service_code"),
    ({"lat": None, "long": None}, 400, "Lokasi wajib"),
    ({"long": None}, 400, "lat dan long"),
    ({"lat": "abc"}, 400, "angka"),
    ({"lat": "NaN"}, 400, "rentang"),
    ({"long": "inf"}, 400, "rentang"),
    ({"lat": "-91"}, 400, "rentang"),
    ({"lat": "-10.10", "long": "123.58"}, 400, "luar wilayah"),
    ({"attribute[volume]": None}, 400, "attribute[volume]"),
    ({"attribute[volume]": "segunung"}, 400, "attribute[volume]"),
    ({"description": "x" * 4001}, 400, "description"),
    ({"email": "bukan-email"}, 400, "email"),
    ({"media_url": "ftp://x/y.jpg"}, 400, "media_url"),
    ({"lat": None, "long": None, "address_id": "99.99"}, 400, "address_id"),
    ({"lat": None, "long": None, "address_string": "Jakarta Pusat"}, 400, "kelurahan"),
    ({"jurisdiction_id": "bali"}, 404, "jurisdiction_id"),
])
def test_it_refuses_bad_posts_and_saves_nothing(o311, api_key, fmt, change, status, words, now):
    if change.get("api_key") == "REVOKED":
        change = {"api_key": _revoked_key(now)}
    response, body = o311.post(fmt, valid_post(api_key, **change))
    assert response.status_code == status
    assert error_codes(body, fmt)[0] == status
    text = str(body) if fmt == "json" else " ".join(
        e.findtext("description") for e in body.findall("error"))
    assert words in text
    assert not Report.objects.exists() and not RequestMeta.objects.exists()


def test_it_refuses_a_media_file_that_is_not_an_image(o311, api_key):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = valid_post(api_key, media=SimpleUploadedFile("a.jpg", b"%PDF-1.4 nope"))
    response, body = o311.post("xml", data)
    assert response.status_code == 400
    assert "bukan foto" in body.findtext("error/description")
    assert not Report.objects.exists()


def test_it_limits_posts_per_key_per_minute(o311, now):
    _key, raw = ApiKey.issue("Sempit", now=now, rate_per_minute=2)
    codes = [o311.post("json", valid_post(raw))[0].status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response, body = o311.post("xml", valid_post(raw))
    assert response.status_code == 429 and error_codes(body, "xml") == [429]
    assert int(response["Retry-After"]) <= 60
    assert Report.objects.count() == 2



def _stored_files(root) -> list[str]:
    import os

    return sorted(os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files)


@pytest.mark.parametrize("refusal", ["rate", "revoked"])
def test_a_refused_post_leaves_no_photo_row_and_no_file(o311, now, settings, refusal):
    from django.core.files.uploadedfile import SimpleUploadedFile

    key, raw = ApiKey.issue("Sempit", now=now, rate_per_minute=1)
    assert o311.post("json", valid_post(raw))[0].status_code == 200
    if refusal == "revoked":
        ApiKey.objects.filter(pk=key.pk).update(is_active=False, rate_count=0)
    files = _stored_files(settings.MEDIA_ROOT)
    data = valid_post(raw, media=SimpleUploadedFile("a.jpg", jpeg_bytes(),
                                                     content_type="image/jpeg"))
    response, _body = o311.post("json", data)
    assert response.status_code == (429 if refusal == "rate" else 403)
    assert Report.objects.count() == 1 and not Photo.objects.exists()
    assert _stored_files(settings.MEDIA_ROOT) == files

# --- GET requests -------------------------------------------------------------------------

@pytest.fixture
def reports(make_report, now, make_user):
    """Four public reports at known places and times, plus one rejected one."""
    far = make_report("SAMPAH", lat=-10.1760, lng=123.5546, at=now - timedelta(days=10))
    near = make_report("JALAN_RUSAK", lat=-10.1716, lng=123.6711, at=now - timedelta(days=2))
    old = make_report("SAMPAH", lat=-10.1716, lng=123.6711, at=now - timedelta(days=100))
    done = make_report("JALAN_RUSAK", lat=-10.1720, lng=123.6715, at=now - timedelta(days=1))
    admin = make_user("admin")
    services.verify(done.pk, actor=admin, now=now - timedelta(hours=20))
    services.add_note(done.pk, actor=admin, now=now - timedelta(hours=19),
                      text="Tim sudah dijadwalkan", public=True)
    services.add_note(done.pk, actor=admin, now=now - timedelta(hours=19),
                      text="rahasia internal", public=False)
    services.reject(make_report(at=now - timedelta(hours=5)).pk, actor=admin, now=now,
                    reason="spam")
    services.close(services.resolve(
        services.start(services.assign(done.pk, actor=admin, now=now - timedelta(hours=3),
                                       team=done.agency.teams.first()
                                       or _team(done.agency)).pk,
                       actor=admin, now=now - timedelta(hours=2)).pk,
        actor=admin, now=now - timedelta(hours=1), note="Sudah ditambal",
        photos=[jpeg_bytes()]).pk, actor=admin, now=now - timedelta(minutes=30))
    return {"far": far, "near": near, "old": old, "done": Report.objects.get(pk=done.pk)}


def _team(agency):
    from sigap.agencies.models import Team

    return Team.objects.create(agency=agency, code="t1", name="Tim 1")


def tickets(o311, fmt="json", **params):
    response, body = o311.get("requests", fmt, **params)
    assert response.status_code == 200, body
    return [i["service_request_id"] for i in items(body, fmt)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_lists_public_requests_of_the_last_90_days_newest_first(o311, reports, fmt):
    r = reports
    assert tickets(o311, fmt) == [r["done"].ticket, r["near"].ticket, r["far"].ticket]


def test_it_filters_by_service_code_and_status_lists(o311, reports):
    r = reports
    assert tickets(o311, service_code="SAMPAH") == [r["far"].ticket]
    assert tickets(o311, service_code="SAMPAH,JALAN_RUSAK") == [
        r["done"].ticket, r["near"].ticket, r["far"].ticket]
    assert tickets(o311, status="closed") == [r["done"].ticket]
    assert tickets(o311, status="open") == [r["near"].ticket, r["far"].ticket]
    assert len(tickets(o311, status="open,closed")) == 3


def test_it_lets_the_id_list_override_every_other_argument(o311, reports):
    r = reports
    ids = f"{r['old'].ticket},{r['far'].ticket}"
    assert sorted(tickets(o311, service_request_id=ids, service_code="NOPE",
                          status="closed")) == sorted([r["old"].ticket, r["far"].ticket])


def test_it_filters_by_date_range_and_refuses_more_than_90_days(o311, reports, now):
    r = reports
    start = (now - timedelta(days=120)).isoformat()
    end = (now - timedelta(days=50)).isoformat()
    assert tickets(o311, start_date=start, end_date=end) == [r["old"].ticket]
    assert tickets(o311, start_date="2026-10-25", end_date="2026-10-31") == [r["near"].ticket]
    assert tickets(o311, start_date=(now - timedelta(days=5)).isoformat()) == [
        r["done"].ticket, r["near"].ticket]
    # An unencoded "+" arrives as a space: still understood.
    assert tickets(o311, end_date="2026-10-24T10:00:00 08:00") == [r["far"].ticket]
    response, body = o311.get("requests", "xml", start_date="2026-01-01",
                              end_date="2026-06-01")
    assert response.status_code == 400 and "90" in body.findtext("error/description")


def test_it_filters_by_updated_after_and_before(o311, reports, now):
    r = reports
    assert tickets(o311, updated_after=(now - timedelta(hours=2)).isoformat()) == [
        r["done"].ticket]
    assert tickets(o311, updated_before=(now - timedelta(days=5)).isoformat()) == [
        r["far"].ticket]


def test_it_filters_by_circle_and_by_bbox(o311, reports):
    r = reports
    assert tickets(o311, lat="-10.1716", long="123.6711", radius="100") == [
        r["done"].ticket, r["near"].ticket]
    assert tickets(o311, lat="-10.1716", long="123.6711", radius="20") == [r["near"].ticket]
    assert tickets(o311, bbox="123.55,-10.18,123.56,-10.17") == [r["far"].ticket]


def test_it_pages_results_and_caps_the_page_size(o311, reports):
    r = reports
    response, body = o311.get("requests", page_size="2")
    assert [i["service_request_id"] for i in body] == [r["done"].ticket, r["near"].ticket]
    assert "page=2" in response["X-Next-Page-URL"]
    assert tickets(o311, page="2", page_size="2") == [r["far"].ticket]
    assert tickets(o311, page="5", page_size="2") == []
    response, body = o311.get("requests", page_size="100000000")
    assert response.status_code == 200 and len(body) == 3 and "X-Next-Page-URL" not in response


def test_it_treats_empty_parameters_as_absent(o311, reports):
    empty = {name: "" for name in ("service_request_id", "service_code", "start_date",
                                   "end_date", "status", "lat", "long", "radius", "bbox",
                                   "updated_after", "updated_before", "page", "page_size",
                                   "extensions", "jurisdiction_id")}
    assert tickets(o311, **empty) == tickets(o311)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("params,words", [
    ({"start_date": "kemarin"}, "start_date"),
    ({"end_date": "2026-13-45"}, "end_date"),
    ({"start_date": "2026-11-01", "end_date": "2026-10-01"}, "start_date"),
    ({"status": "pending"}, "status"),
    ({"lat": "-10.17"}, "lat dan long"),
    ({"lat": "x", "long": "123.6"}, "lat"),
    ({"lat": "-10.17", "long": "123.6", "radius": "-5"}, "radius"),
    ({"lat": "-10.17", "long": "nan"}, "long"),
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "123.7,-10.1,123.6,-10.2"}, "bbox"),
    ({"page": "0"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page_size": "1e3"}, "page_size"),
    ({"updated_after": "1 Nov"}, "updated_after"),
    ({"service_request_id": ",".join(str(i) for i in range(101))}, "service_request_id"),
])
def test_it_refuses_bad_query_arguments(o311, fmt, params, words):
    response, body = o311.get("requests", fmt, **params)
    assert response.status_code == 400
    assert error_codes(body, fmt) == [400]
    assert words in (str(body) if fmt == "json" else body.findtext("error/description"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_reports_closed_requests_with_the_close_time_and_status_notes(o311, reports, fmt,
                                                                         now):
    done = reports["done"]
    (item,) = items(o311.get(f"requests/{done.ticket}", fmt)[1], fmt)
    assert item["status"] == "closed"
    assert parse_datetime(item["updated_datetime"]) == now - timedelta(minutes=30)
    assert item["status_notes"] == "Sudah ditambal"
    assert item["agency_responsible"] == done.agency.name
    assert item["address_id"] == done.kelurahan.code and item["zipcode"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_adds_public_history_with_extensions(o311, reports, fmt):
    done = reports["done"]
    response, body = o311.get(f"requests/{done.ticket}", fmt, extensions="true")
    if fmt == "xml":
        notes = [{c.tag: c.text for c in n} for n in body.findall("request/notes/note")]
        assert body.findtext("request/extended_attributes/sigap_status") == "closed"
    else:
        notes = body[0]["notes"]
        assert body[0]["extended_attributes"]["sigap_status"] == "closed"
    assert [n["sigap_status"] for n in notes] == [
        "submitted", "verified", None, "assigned", "in_progress", "resolved", "closed"]
    assert notes[2] == {**notes[2], "type": "note", "description": "Tim sudah dijadwalkan"}
    assert "rahasia" not in response.content.decode()
    assert "admin" not in response.content.decode()
    plain = o311.get(f"requests/{done.ticket}", fmt)[0].content.decode()
    assert "extended_attributes" not in plain


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_hides_non_public_requests(o311, reports, fmt):
    rejected = Report.objects.get(status="rejected")
    response, body = o311.get(f"requests/{rejected.ticket}", fmt)
    assert response.status_code == 404 and error_codes(body, fmt) == [404]
    assert rejected.ticket not in tickets(o311, service_request_id=rejected.ticket)


def test_it_lists_a_page_in_a_fixed_number_of_queries(o311, reports, make_report, now,
                                                      django_assert_max_num_queries):
    for i in range(10):
        make_report(at=now - timedelta(hours=i))
    # City, data version, reports, then one query each for the shared categories, agencies,
    # kelurahan, kecamatan, photos and notes: a fixed number, whatever the page holds.
    with django_assert_max_num_queries(10):
        response, body = o311.get("requests", extensions="true", page_size="50")
    assert len(body) == 13
    for i in range(10, 30):
        make_report(at=now - timedelta(hours=i))
    with django_assert_max_num_queries(10):
        response, body = o311.get("requests", extensions="true", page_size="50")
    assert len(body) == 33


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:00",
                                   "2026-10-30T10:00:00+20:34"])
def test_it_handles_extreme_dates_without_a_server_error(o311, reports, value):
    response, body = o311.get("requests", start_date=value)
    assert response.status_code in (200, 400)
    response, body = o311.get("requests", updated_after=value)
    assert response.status_code in (200, 400)


def test_it_finds_requests_in_a_circle_through_the_lat_lng_index(kupang, now):
    from django.http import QueryDict

    from sigap.open311 import adapter

    params = QueryDict("lat=-10.17&long=123.6&radius=500")
    qs = adapter.filter_requests(adapter.requests_queryset(), params, kupang, now)
    assert "report_lat_lng" in qs.order_by("-created_at", "-pk")[:100].explain()


def test_it_creates_in_a_number_of_queries_that_does_not_grow_with_the_table(
        o311, api_key, make_report):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response, _body = o311.post("json", valid_post(api_key))
        assert response.status_code == 200
        reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("SELECT")]
        assert not any("COUNT(" in sql.upper() for sql in reads)
        return len(ctx.captured_queries)

    count()  # the first report of the year also creates the ticket sequence
    second = count()
    for _ in range(15):
        make_report()
    assert count() == second


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_answers_a_malformed_or_oversized_body_in_the_spec_format(o311, api_key, fmt,
                                                                     settings):
    response = o311.client.post(f"/open311/v2/requests.{fmt}", b"--x\r\ngarbage",
                                content_type="multipart/form-data; boundary=")
    assert response.status_code == 400
    assert error_codes(o311.parse(response, fmt), fmt) == [400]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = o311.client.post(f"/open311/v2/requests.{fmt}",
                                valid_post(api_key, description="x" * 500))
    assert response.status_code == 400
    assert error_codes(o311.parse(response, fmt), fmt) == [400]
    assert not Report.objects.exists()


def test_it_names_services_in_english_when_asked(o311):
    response = o311.client.get("/open311/v2/services.json", HTTP_ACCEPT_LANGUAGE="en")
    names = {s["service_code"]: s["service_name"] for s in o311.parse(response, "json")}
    assert names["SAMPAH"] == "Garbage / waste"
