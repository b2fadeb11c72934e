"""Input that used to be a 500 is a clear 400 in the visitor's language (issue 24, defect 3).

Run on SQLite and on PostgreSQL (NUL and over-long values only fail there)."""

import json

import pytest
from rest_framework.test import APIClient

from sigap.reports.models import Report

pytestmark = pytest.mark.django_db

PENFUI = {"lat": "-10.1716", "lng": "123.6711"}
DEEP = "[" * 5000 + "]" * 5000
BAD_TIME = "2026-01-01T25:00"


@pytest.fixture
def api_key(db, now):
    from sigap.open311.models import ApiKey

    _key, raw = ApiKey.issue("Aplikasi Uji", now=now, rate_per_minute=100)
    return raw


@pytest.fixture
def lapor(client, kupang):
    def post(**answers):
        data = {"key": "k" * 32, "category": "ORANG_HILANG", **PENFUI,
                "description": "Anak hilang", "address": "", "contact_name": "",
                "contact_phone": "", "contact_email": "",
                **{f"attribute[{k}]": v for k, v in answers.items()}}
        return client.post("/lapor/", data, HTTP_ACCEPT="application/json")

    return post


# --- Out-of-range dates in answers -----------------------------------------------------------

def test_open311_refuses_an_hour_25(client, kupang, api_key):
    response = client.post("/open311/v2/requests.json", {
        "api_key": api_key, "service_code": "ORANG_HILANG",
        "lat": PENFUI["lat"], "long": PENFUI["lng"],
        "description": "Anak hilang", "attribute[nama_orang]": "Yohana",
        "attribute[terakhir_dilihat]": BAD_TIME})
    assert response.status_code == 400
    assert "terakhir_dilihat" in json.dumps(response.json())
    assert not Report.objects.exists()


def test_rest_refuses_an_hour_25(kupang):
    response = APIClient().post("/api/v1/reports/", {
        "category": "ORANG_HILANG", **PENFUI, "description": "Anak hilang",
        "answers": {"nama_orang": "Yohana", "terakhir_dilihat": BAD_TIME}},
        format="json", HTTP_IDEMPOTENCY_KEY="bad-time-1")
    assert response.status_code == 400
    assert "Format tanggal tidak dikenal" in json.dumps(response.json())


def test_the_report_form_refuses_an_hour_25(lapor):
    response = lapor(nama_orang="Yohana", terakhir_dilihat=BAD_TIME)
    assert response.status_code == 400
    assert "Format tanggal" in json.dumps(response.json()["errors"])


def test_the_report_form_refuses_nul_in_an_answer(lapor):
    response = lapor(nama_orang="a\x00b")
    assert response.status_code == 400
    assert "Karakter kontrol" in json.dumps(response.json()["errors"])
    assert not Report.objects.exists()


def test_the_refusal_is_in_english_for_an_english_visitor(lapor, client):
    client.cookies["django_language"] = "en"
    response = lapor(nama_orang="Yohana", terakhir_dilihat=BAD_TIME)
    assert response.status_code == 400
    assert "Format tanggal" not in json.dumps(response.json())


# --- Deep JSON --------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/reports/"])
def test_deeply_nested_json_is_a_400(kupang, url):
    response = APIClient().post(url, DEEP, content_type="application/json",
                                HTTP_IDEMPOTENCY_KEY="deep-1")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_deeply_nested_answers_in_a_multipart_form_are_a_400(kupang):
    response = APIClient().post("/api/v1/reports/", {
        "category": "SAMPAH", **PENFUI, "description": "Sampah", "answers": DEEP},
        format="multipart", HTTP_IDEMPOTENCY_KEY="deep-2")
    assert response.status_code == 400 and "answers" in response.json()


def test_json_within_the_limit_is_still_read(kupang):
    response = APIClient().post("/api/v1/reports/", {
        "category": "SAMPAH", **PENFUI, "description": "Sampah",
        "answers": {"volume": "kecil"}}, format="json", HTTP_IDEMPOTENCY_KEY="ok-1")
    assert response.status_code == 201, response.json()


# --- Paths and sign-in --------------------------------------------------------------------------

@pytest.mark.parametrize("method,url", [
    ("get", "/r/X%00"), ("get", "/r/X%00/terkirim"), ("post", "/r/X%00/dukung"),
    ("get", "/open311/v2/requests/X%00.json"), ("get", "/open311/v2/services/X%00.json"),
])
def test_nul_in_a_path_segment_is_a_400(client, kupang, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 400
    assert "Karakter kontrol" in response.content.decode()


def test_a_path_segment_longer_than_a_file_name_is_a_400(client, kupang, settings):
    response = client.get("/media/photos/" + "a" * 1500 + ".jpg")
    assert response.status_code == 400
    assert "terlalu panjang" in response.content.decode()


def test_a_6000_character_username_is_a_failed_sign_in(client, kupang):
    response = client.post("/admin/login/", {"username": "u" * 6000, "password": "x"})
    assert response.status_code == 200  # the form again, with its error
    from axes.models import AccessAttempt

    assert len(AccessAttempt.objects.get().username) == 150


def test_a_username_with_nul_is_a_failed_sign_in(client, kupang):
    response = client.post("/admin/login/", {"username": "ad\x00min", "password": "x"})
    assert response.status_code == 200


# --- The dashboard's filters -------------------------------------------------------------------

DASHBOARD = ["/dasbor/", "/dasbor/laporan/", "/dasbor/ekspor.csv", "/dasbor/ekspor.xlsx",
             "/dasbor/ekspor.geojson"]


@pytest.mark.parametrize("url", DASHBOARD)
@pytest.mark.parametrize("query", ["sampai=9999-12-31", "dari=9999-12-31",
                                   "dari=0001-01-01", "dinas=99999999999999999999999",
                                   "kategori=99999999999999999999999"])
def test_the_dashboard_refuses_filters_out_of_range_before_the_first_byte(
        client, make_user, make_report, url, query):
    make_report()
    client.force_login(make_user("executive"))
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert not getattr(response, "streaming", False)
    text = response.content.decode()
    assert "Tanggal harus antara" in text or "terlalu besar" in text


def test_an_export_with_ordinary_filters_still_streams(client, make_user, make_report):
    make_report()
    client.force_login(make_user("executive"))
    response = client.get("/dasbor/ekspor.csv?dari=2026-01-01&sampai=2099-12-31&dinas=1")
    assert response.status_code == 200 and response.streaming
    b"".join(response.streaming_content)


# --- Found by the attack suite (tests/attack) ----------------------------------------------

def test_nul_in_the_authorization_header_is_a_400(client, kupang):
    response = client.get("/api/v1/categories/", HTTP_AUTHORIZATION="Token a\x00b")
    assert response.status_code == 400


def test_deep_json_in_an_admin_json_field_is_a_400(client, make_user, kupang):
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    response = client.post("/admin/cities/city/add/", {
        "code": "x", "name": "X", "emergency_numbers": DEEP, "boundary": DEEP})
    assert response.status_code == 400
    assert "JSON" in response.content.decode()


@pytest.mark.parametrize("view", ["config", "qrcode"])
@pytest.mark.parametrize("pk", ["1", "999999"])
def test_the_admin_never_shows_a_totp_secret(client, make_user, kupang, view, pk):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    admin = make_user("admin", is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=False)
    client.force_login(admin)
    assert client.get(f"/admin/otp_totp/totpdevice/{pk}/{view}/").status_code == 403


@pytest.mark.parametrize("url", ["/office/?kecamatan=99999999999999999999999",
                                 "/office/?category=%C2%B2", "/office/?agency=%C2%B2"])
def test_office_filters_out_of_range_are_no_filter(client, make_user, kupang, url):
    client.force_login(make_user("dispatcher", agency="DLHK"))
    assert client.get(url).status_code == 200


def test_a_hand_made_notification_is_not_offered_in_the_admin(client, make_user, kupang):
    client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    assert client.post("/admin/notifications/notification/add/", {}).status_code == 403


def test_every_open311_operation_documents_its_400_and_429(client, kupang):
    doc = client.get("/open311/v2/openapi.json").json()
    for item in doc["paths"].values():
        for method in ("get", "post"):
            if method in item:
                assert {"400", "429"} <= set(item[method]["responses"])


def test_every_rest_operation_documents_its_400_and_429(client, kupang):
    doc = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    for item in doc["paths"].values():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                assert {"400", "429"} <= set(item[method]["responses"])
