"""The privacy rules through every public surface: anonymous, confidential, sensitive.

Each kind of report is looked at through REST (list, detail), Open311 (list, detail, JSON
and XML), the tracking page, the city's list and map, by the public; then the contact
rule by role. A secret word written in each report must never reach the public where the
rule hides it.
"""

import pytest
from rest_framework.test import APIClient

from sigap.reports import services
from sigap.reports.models import Report

pytestmark = pytest.mark.django_db
SECRET = "Rahasia-Yohana"


@pytest.fixture
def reports(kupang, category, make_user, now):
    citizen = make_user("citizen", username="maria", email="maria@example.org")

    def make(kind, code, *, public=True, anonymous=False):
        cat = category(code)
        secret = f"{SECRET}-{kind}"
        data = services.NewReport(
            category=cat, lat=-10.1716, lng=123.6711, description=f"{secret} {code}",
            answers={a.code: (a.values[0][0] if a.values else secret)
                     for a in cat.attributes.filter(required=True)},
            address=f"Jl. {secret}", reporter=None if anonymous else citizen,
            is_anonymous=anonymous, contact=services.Contact(
                name="" if anonymous else "Maria", phone="" if anonymous else "0812345"))
        report = services.create_report(kupang, data, now=now).report
        if not public:
            Report.objects.filter(pk=report.pk).update(is_public=False)
        return report

    return {"normal": make("normal", "SAMPAH"),
            "anonymous": make("anonymous", "SAMPAH", anonymous=True),
            "confidential": make("confidential", "SAMPAH", public=False),
            "sensitive": make("sensitive", "ORANG_HILANG")}


def public_surfaces(client, report):
    """Return (surface, status, body) as the public sees them."""
    api = APIClient()
    out = [("rest-list", *_get(api, "/api/v1/reports/")),
           ("rest-detail", *_get(api, f"/api/v1/reports/{report.ticket}/")),
           ("track", *_get(client, f"/r/{report.ticket}")),
           ("city-list", *_get(client, "/laporan/")),
           ("city-map", *_get(client, "/laporan/peta.json"))]
    for fmt in ("json", "xml"):
        out.append((f"open311-list-{fmt}", *_get(client, f"/open311/v2/requests.{fmt}",
                                                {"extensions": "true"})))
        out.append((f"open311-detail-{fmt}", *_get(
            client, f"/open311/v2/requests/{report.ticket}.{fmt}", {"extensions": "true"})))
    return out


def _get(client, url, params=None):
    response = client.get(url, params or {})
    return response.status_code, response.content.decode()


def test_the_public_never_sees_a_sensitive_reports_words(client, reports):
    report = reports["sensitive"]
    for surface, status, body in public_surfaces(client, report):
        assert status == 200, surface
        assert f"{SECRET}-sensitive" not in body, surface


def test_the_public_never_sees_a_confidential_report(client, reports):
    report = reports["confidential"]
    for surface, status, body in public_surfaces(client, report):
        assert report.ticket not in body and f"{SECRET}-confidential" not in body, surface
        if surface in ("rest-detail", "track") or surface.startswith("open311-detail"):
            assert status == 404, surface


def test_the_public_sees_a_normal_reports_words_but_never_contacts(client, reports):
    report = reports["normal"]
    for surface, status, body in public_surfaces(client, report):
        assert status == 200, surface
        assert "0812345" not in body and "maria@example.org" not in body, surface
    assert SECRET in APIClient().get(f"/api/v1/reports/{report.ticket}/").json()["description"]


def test_an_anonymous_report_keeps_no_identity_anywhere(reports):
    report = Report.objects.get(pk=reports["anonymous"].pk)
    assert (report.reporter_id, report.contact_name, report.contact_phone) == (None, "", "")


@pytest.mark.parametrize("role,agency,sees_contact,sees_words", [
    ("dispatcher", "DLHK", True, True),   # the handling agency
    ("head", "DLHK", True, True),
    ("officer", "DLHK", False, True),     # not assigned: sees it (agency), not who reported
    ("dispatcher", "DINSOS", False, False),
    ("executive", None, False, True),     # the dashboard: all reports, no contacts
    ("admin", None, True, True),
    ("citizen", None, False, False),
])
def test_contacts_by_role_through_the_api(reports, make_user, role, agency, sees_contact,
                                          sees_words):
    report = reports["normal"]
    api = APIClient()
    api.force_authenticate(make_user(role, agency=agency))
    body = api.get(f"/api/v1/reports/{report.ticket}/").json()
    assert (body["contact"] is not None) == sees_contact
    hidden = api.get(f"/api/v1/reports/{reports['confidential'].ticket}/")
    assert (hidden.status_code == 200) == sees_words
