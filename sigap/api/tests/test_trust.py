"""REST API attacked as a tester would: identity, sensitive reports, cursors, control bytes."""

import json
from datetime import timedelta

import pytest

from sigap.reports.models import Report, ReportEvent

pytestmark = pytest.mark.django_db
PENFUI = {"lat": -10.1716, "lng": 123.6711}


def missing_person(**extra):
    return {"category": "ORANG_HILANG", **PENFUI, "description": "Anak saya Yohana, 7 tahun",
            "answers": json.dumps({"nama_orang": "Yohana Ndoen"}), **extra}


# --- Defect 1: anonymous keeps no identity ------------------------------------------------

def test_it_stores_no_identity_for_an_anonymous_report(as_user, make_user):
    citizen = make_user("citizen", email="maria@example.org", phone="081234567890")
    response = as_user(citizen).post("/api/v1/reports/", {
        "category": "SAMPAH", **PENFUI, "description": "Sampah", "is_anonymous": True,
        "answers": json.dumps({"volume": "kecil"}),
        "contact_name": "Maria", "contact_phone": "081234567890",
        "contact_email": "maria@example.org"}, format="json", HTTP_IDEMPOTENCY_KEY="anon-1")
    assert response.status_code == 201, response.json()
    report = Report.objects.get(ticket=response.json()["ticket"])
    assert report.reporter_id is None and report.is_anonymous
    assert (report.contact_name, report.contact_phone, report.contact_email) == ("", "", "")
    assert not ReportEvent.objects.filter(report=report, actor__isnull=False).exists()
    assert not report.followers.exists() if hasattr(report, "followers") else True
    from sigap.reports.models import IdempotencyKey

    assert not IdempotencyKey.objects.filter(scope__contains=str(citizen.pk),
                                             scope__startswith="user:").exists()
    # The agency's dispatcher sees no one.
    dispatcher = make_user("dispatcher", agency=report.agency)
    body = as_user(dispatcher).get(f"/api/v1/reports/{report.ticket}/").json()
    assert body["contact"] == {"name": "", "phone": "", "email": "", "reporter": None}
    assert all(line["actor"] is None for line in body["timeline"])


# --- Defect 2: sensitive categories keep their words from the public ----------------------

def test_it_keeps_a_sensitive_reports_words_from_the_public(api, as_user, make_user):
    created = api.post("/api/v1/reports/", missing_person(), HTTP_X_CLIENT_ID="hp-1").json()
    ticket = created["ticket"]
    public = api.get(f"/api/v1/reports/{ticket}/").json()
    assert public["description"] == "" and public["answers"] == {}
    assert public["address"] == "" and "Yohana" not in json.dumps(public)
    report = Report.objects.get(ticket=ticket)
    staff = as_user(make_user("dispatcher", agency=report.agency))
    inside = staff.get(f"/api/v1/reports/{ticket}/").json()
    assert inside["answers"] == {"nama_orang": "Yohana Ndoen"}
    assert inside["description"].startswith("Anak saya")


# --- Defect 8: one rule for who sees reporter contacts ------------------------------------

def test_it_shows_contacts_to_the_handling_agency_only_not_the_executive(api, as_user,
                                                                          make_user):
    ticket = api.post("/api/v1/reports/", {
        "category": "SAMPAH", **PENFUI, "description": "Sampah", "contact_name": "Budi",
        "answers": json.dumps({"volume": "kecil"}),
        "contact_phone": "081299998888"}, format="json").json()["ticket"]
    report = Report.objects.get(ticket=ticket)
    executive = as_user(make_user("executive"))
    dispatcher = as_user(make_user("dispatcher", agency=report.agency))
    other = as_user(make_user("dispatcher", agency="DINSOS"))
    assert executive.get(f"/api/v1/reports/{ticket}/").json()["contact"] is None
    assert dispatcher.get(f"/api/v1/reports/{ticket}/").json()["contact"]["name"] == "Budi"
    assert other.get(f"/api/v1/reports/{ticket}/").json()["contact"] is None
    assert api.get(f"/api/v1/reports/{ticket}/").json()["contact"] is None


# --- Defect 3: forged cursors are a 400 ---------------------------------------------------

@pytest.mark.parametrize("cursor", [
    "cD0yMDI2LTEx",  # base64 of p=2026-11: well-formed, but not ours
    "cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5",  # p=99999...
    "not base64 at all!", "", "%00", "bz05OTk5OTk5OTk5OTk5OTk5OTk5",
])
def test_it_answers_400_to_a_cursor_it_did_not_make(api, cursor):
    response = api.get("/api/v1/reports/", {"cursor": cursor})
    assert response.status_code == 400, response.content


def test_it_follows_its_own_cursors(api, make_report, now):
    for minutes in range(3):
        make_report(at=now + timedelta(minutes=minutes))
    first = api.get("/api/v1/reports/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = api.get(first["next"])
    assert second.status_code == 200 and len(second.json()["results"]) == 1
    back = api.get(second.json()["previous"])
    assert back.status_code == 200 and len(back.json()["results"]) == 2


# --- Defect 4: control characters refused at the edge, on both databases -----------------

@pytest.mark.parametrize("field", ["description", "address", "contact_name"])
def test_it_refuses_a_nul_byte_in_a_json_body(api, field):
    data = {"category": "SAMPAH", **PENFUI, "description": "Sampah",
            "answers": json.dumps({"volume": "kecil"}), field: "a\x00b"}
    response = api.post("/api/v1/reports/", data, format="json")
    assert response.status_code == 400 and not Report.objects.exists()


def test_it_refuses_a_nul_byte_in_answers(api):
    data = missing_person(answers=json.dumps({"nama_orang": "Yo\x00hana"}))
    response = api.post("/api/v1/reports/", data, format="json")
    assert response.status_code == 400 and not Report.objects.exists()


def test_it_refuses_a_nul_byte_in_a_multipart_body(api):
    data = {"category": "SAMPAH", **PENFUI, "description": "Sam\x00pah"}
    response = api.post("/api/v1/reports/", data, format="multipart")
    assert response.status_code == 400 and not Report.objects.exists()


@pytest.mark.parametrize("query", ["category=a%00b", "status=%00", "cursor=%01",
                                   "q%00=1", "kelurahan=%1b"])
def test_it_refuses_control_characters_in_the_query(api, query):
    response = api.get(f"/api/v1/reports/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_it_refuses_a_nul_byte_in_the_idempotency_key(api):
    response = api.post("/api/v1/reports/", {"category": "SAMPAH", **PENFUI,
                                             "description": "x"}, format="json",
                        HTTP_IDEMPOTENCY_KEY="k\x00")
    assert response.status_code == 400 and not Report.objects.exists()
