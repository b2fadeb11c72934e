"""The audit of personal data, and a citizen's own data: download and deletion."""

import json

import pytest
from rest_framework.test import APIClient

from sigap.accounts import audit
from sigap.accounts.models import AuditEntry, User
from sigap.reports import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(make_report, make_user, category, kupang, now):
    citizen = make_user("citizen", username="maria", email="maria@example.org")
    data = services.NewReport(category=category("SAMPAH"), lat=-10.17, lng=123.60,
                              description="Sampah", answers={"volume": "kecil"},
                              reporter=citizen,
                              contact=services.Contact(name="Maria", phone="081234567890"))
    return citizen, services.create_report(kupang, data, now=now).report


def test_it_records_who_saw_a_contact_in_the_office(client, make_user, reported):
    _citizen, report = reported
    dispatcher = make_user("dispatcher", agency=report.agency, username="dina")
    client.force_login(dispatcher)
    assert client.get(f"/office/r/{report.ticket}/").status_code == 200
    entry = audit.trail(f"report:{report.ticket}").get()
    assert (entry.actor, entry.actor_name, entry.action) == (
        dispatcher, "dina", AuditEntry.Action.CONTACT_VIEWED)


def test_it_records_contacts_seen_through_the_api_and_not_when_hidden(make_user, reported):
    _citizen, report = reported
    dispatcher, executive = make_user("dispatcher", agency=report.agency), make_user("executive")
    for user in (dispatcher, executive):
        api = APIClient()
        api.force_authenticate(user)
        api.get(f"/api/v1/reports/{report.ticket}/")
    assert [e.actor for e in audit.trail(f"report:{report.ticket}")] == [dispatcher]


def test_an_export_is_recorded_by_the_service_function(make_user, now):
    head = make_user("head", agency="DLHK")
    audit.record(head, audit.EXPORT, "reports.xlsx", now, detail={"rows": 12})
    entry = AuditEntry.objects.get()
    assert entry.detail == {"rows": 12} and entry.at == now and entry.actor == head


def test_a_citizen_downloads_everything_kept_about_them(client, reported):
    citizen, report = reported
    client.force_login(citizen)
    response = client.get("/saya/data.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "maria@example.org"
    assert [r["ticket"] for r in data["reports"]] == [report.ticket]
    assert data["reports"][0]["contact"]["phone"] == "+6281234567890"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.PERSONAL_DATA_EXPORT,
                                     actor=citizen).exists()
    assert "/saya/data.json" in client.get("/akun/profil/").content.decode()


def test_a_visitor_cannot_download_anyones_data(client):
    assert client.get("/saya/data.json").status_code == 302


def test_a_deleted_account_leaves_no_identity_and_a_nameless_trail(client, reported):
    citizen, report = reported
    client.force_login(citizen)
    client.post("/akun/hapus/", {"confirm": "on"})
    assert not User.objects.filter(pk=citizen.pk).exists()
    report.refresh_from_db()
    assert (report.reporter_id, report.contact_name, report.contact_phone) == (None, "", "")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ACCOUNT_DELETED)
    assert entry.actor_name == "" and entry.target == f"user:{citizen.pk}"
