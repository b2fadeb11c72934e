"""Open311 with several cities: jurisdiction_id is the city pack's code (issue 26).

Discovery lists the jurisdictions; services and requests are per jurisdiction; a request
without one goes by its point, a read without one is the default city's (docs/open311.md).
Each in JSON and XML."""

import pytest

from sigap.open311.tests.test_conformance import FORMATS, error_codes, items, valid_post
from sigap.reports.models import Report

PLACES = {
    "kupang": {"lat": "-10.1716", "long": "123.6711"},
    "kabupaten-kupang": {"lat": "-10.23", "long": "123.75"},
    "jayapura": {"lat": "-2.533", "long": "140.717"},
}
PREFIX = {"kupang": "KPG", "kabupaten-kupang": "KBK", "jayapura": "JYP"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_lists_every_jurisdiction(o311, province, fmt):
    response, body = o311.get("discovery", fmt)
    assert response.status_code == 200
    if fmt == "json":
        listed = {j["jurisdiction_id"]: j["timezone"] for j in body["jurisdictions"]}
    else:
        listed = {j.findtext("jurisdiction_id"): j.findtext("timezone")
                  for j in body.find("jurisdictions").findall("jurisdiction")}
    assert listed == {"kupang": "Asia/Makassar", "kabupaten-kupang": "Asia/Makassar",
                      "jayapura": "Asia/Jayapura"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", list(PLACES))
def test_each_jurisdiction_lists_its_own_services(o311, province, fmt, code):
    response, body = o311.get("services", fmt, jurisdiction_id=code)
    assert response.status_code == 200
    services = items(body, fmt, tag="service")
    codes = {s["service_code"] for s in services}
    assert codes == set(province[code].categories.filter(is_active=True)
                        .values_list("code", flat=True))
    assert ("BENCANA" in codes) == (code != "kupang")  # the regency and Jayapura have it
    for s in services:
        assert s["service_name"] and str(s["metadata"]).lower() in ("true", "false")
        assert s["type"] == "realtime"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_jurisdiction_is_a_404_naming_the_known_ones(o311, province, fmt):
    response, body = o311.get("services", fmt, jurisdiction_id="atlantis")
    assert response.status_code == 404 and error_codes(body, fmt) == [404]
    assert b"jayapura" in response.content and b"kabupaten-kupang" in response.content


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", list(PLACES))
def test_a_request_is_created_in_its_jurisdiction(o311, province, api_key, fmt, code):
    response, body = o311.post(fmt, valid_post(api_key, jurisdiction_id=code, **PLACES[code]))
    assert response.status_code == 200, response.content
    (created,) = items(body, fmt)
    report = Report.objects.select_related("city", "category").get(
        ticket=created["service_request_id"])
    assert report.city.code == code and report.category.city_id == report.city_id
    assert report.ticket.startswith(PREFIX[code] + "-")
    _r, listed = o311.get("requests", fmt, jurisdiction_id=code)
    assert [r["service_request_id"] for r in items(listed, fmt)] == [report.ticket]
    _r, one = o311.get(f"requests/{report.ticket}", fmt, jurisdiction_id=code)
    (request,) = items(one, fmt)
    offset = "+09:00" if code == "jayapura" else "+08:00"
    assert request["requested_datetime"].endswith(offset)
    assert request["address"].endswith(province[code].name)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_request_without_jurisdiction_goes_by_its_point(o311, province, api_key, fmt):
    response, body = o311.post(fmt, valid_post(api_key, **PLACES["jayapura"]))
    assert response.status_code == 200, response.content
    (created,) = items(body, fmt)
    assert created["service_request_id"].startswith("JYP-")
    # Read without a jurisdiction: the ticket finds its city; a list is the default city's.
    _r, one = o311.get(f"requests/{created['service_request_id']}", fmt)
    assert items(one, fmt)[0]["requested_datetime"].endswith("+09:00")
    _r, listed = o311.get("requests", fmt)
    assert items(listed, fmt) == []


def test_a_point_outside_every_city_is_refused_naming_the_nearest(o311, province, api_key):
    response, body = o311.post("json", valid_post(api_key, lat="-10.05", long="123.45"))
    assert response.status_code == 400
    assert "Kabupaten Kupang" in body[0]["description"]
    assert not Report.objects.exists()
