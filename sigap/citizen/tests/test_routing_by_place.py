"""Routing by place over HTTP: the web form and the REST API file a report with the city
whose boundary covers its point (docs/decisions/0012-routing-by-place.md)."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from sigap.reports.models import Report

AIRPORT = (-10.1716, 123.6711)
REGENCY = (-10.23, 123.75)
JAYAPURA = (-2.533, 140.717)
BAY = (-10.05, 123.45)
SLIVER = (-10.213068, 123.532535)

PLACES = [
    (AIRPORT, "kupang", "KPG", "PUPR"),
    (REGENCY, "kabupaten-kupang", "KBK", "PUPR"),
    (JAYAPURA, "jayapura", "JYP", "PUPR"),
    (SLIVER, "kupang", "KPG", "PUPR"),  # claimed by both: the smaller city wins
]


def _web(client, form_data, lat, lng, **extra):
    return client.post("/lapor/", form_data(lat=str(lat), lng=str(lng), **extra),
                       HTTP_ACCEPT="application/json")


def _api(lat, lng, category="JALAN_RUSAK", language="id"):
    return APIClient().post("/api/v1/reports/", {
        "category": category, "lat": lat, "lng": lng,
        "description": "Jalan berlubang di depan sekolah"}, format="json",
        HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("point,code,prefix,agency", PLACES)
def test_the_web_form_files_the_report_where_its_point_is(
        client, province, form_data, point, code, prefix, agency):
    body = _web(client, form_data, *point).json()
    report = Report.objects.select_related("city", "category", "agency", "kelurahan").get()
    assert body["ok"] is True and body["ticket"].startswith(prefix + "-")
    assert report.city.code == code
    assert report.category.city_id == report.city_id == report.agency.city_id
    assert report.kelurahan.city_id == report.city_id
    assert (report.category.code, report.agency.code) == ("JALAN_RUSAK", agency)


@pytest.mark.parametrize("point,code,prefix,agency", PLACES)
def test_the_api_files_the_report_where_its_point_is(province, point, code, prefix, agency):
    response = _api(*point)
    assert response.status_code == 201, response.content
    report = Report.objects.select_related("city", "category").get()
    assert report.ticket == response.json()["ticket"] and report.ticket.startswith(prefix)
    assert report.city.code == code and report.category.city_id == report.city_id


def test_a_category_only_one_city_has_is_taken_there(province):
    # Kota Kupang has no BENCANA category; the regency and Jayapura do.
    response = _api(*REGENCY, category="BENCANA")
    assert response.status_code == 201, response.content
    assert Report.objects.get().city.code == "kabupaten-kupang"
    assert _api(*AIRPORT, category="BENCANA").status_code == 400


def test_the_bay_is_refused_naming_the_nearest_city(client, province, form_data):
    body = _web(client, form_data, *BAY).json()
    assert body["ok"] is False
    message = " ".join(m for msgs in body["errors"].values() for m in msgs)
    assert "di luar wilayah Kabupaten Kupang" in message and "7.2 km" in message
    response = _api(*BAY, language="en")
    assert response.status_code == 400
    with translation.override("en"):
        text = str(response.json())
    assert "outside Kabupaten Kupang" in text, text
    assert not Report.objects.exists()


def test_the_map_names_the_city_of_the_pin(client, province):
    here = client.get("/lapor/lokasi", {"lat": JAYAPURA[0], "lng": JAYAPURA[1]}).json()
    assert here["ok"] is True and here["city"] == "jayapura"
    bay = client.get("/lapor/lokasi", {"lat": BAY[0], "lng": BAY[1]}).json()
    assert bay["ok"] is False and "Kabupaten Kupang" in bay["error"]
