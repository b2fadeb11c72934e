"""A confidential report ("jangan tampilkan laporan ini ke publik" = Report.is_public False)
and a rejected one appear on no public surface: home, the city's list and map, the nearby
prompt, the tracking page for strangers, supports and comments, Open311 and the REST API.
The reporter and the agency still see it."""

import pytest

pytestmark = pytest.mark.django_db

TICKET_SURFACES = ["/", "/laporan/", "/laporan/peta.json", "/open311/v2/requests.json",
                   "/api/v1/reports/"]


@pytest.fixture
def hidden_reports(make_report, make_user, now):
    from sigap.reports import services

    confidential = make_report("SAMPAH", lat=-10.1772, lng=123.6070, is_public=False,
                               description="Rahasia: tetangga buang sampah")
    rejected = make_report("SAMPAH", lat=-10.1773, lng=123.6071, description="Iklan obat")
    services.reject(rejected.pk, actor=make_user("dispatcher", agency="DLHK"), now=now,
                    reason="spam")
    shown = make_report("SAMPAH", lat=-10.1774, lng=123.6072, description="Sampah terbuka")
    return confidential, rejected, shown


def test_the_web_form_files_a_confidential_report(client, kupang, form_data):
    from sigap.reports.models import Report

    response = client.post("/lapor/", form_data(confidential="on"))
    assert response.status_code == 302
    assert Report.objects.get().is_public is False
    client.post("/lapor/", form_data(key="j" * 32))
    assert Report.objects.filter(is_public=True).count() == 1


@pytest.mark.parametrize("url", TICKET_SURFACES)
def test_hidden_reports_are_on_no_public_list(client, hidden_reports, url):
    confidential, rejected, shown = hidden_reports
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    assert shown.ticket in body
    assert confidential.ticket not in body and "Rahasia" not in body
    assert rejected.ticket not in body


def test_hidden_reports_are_not_found_one_by_one(client, hidden_reports):
    confidential, rejected, shown = hidden_reports
    for report in (confidential, rejected):
        assert client.get(f"/open311/v2/requests/{report.ticket}.json").status_code == 404
        assert client.get(f"/api/v1/reports/{report.ticket}/").status_code == 404
        assert client.post(f"/r/{report.ticket}/dukung").status_code == 404
        assert client.post(f"/r/{report.ticket}/komentar", {"text": "x"}).status_code == 404
    assert client.get(f"/r/{confidential.ticket}").status_code == 404
    assert client.get(f"/open311/v2/requests/{shown.ticket}.json").status_code == 200


def test_nearby_never_offers_a_confidential_report(client, hidden_reports):
    confidential, rejected, shown = hidden_reports
    body = client.get("/lapor/sekitar", {"category": "SAMPAH", "lat": "-10.1772",
                                        "lng": "123.6070"}).json()
    tickets = [r["ticket"] for r in body["reports"]]
    assert tickets == [shown.ticket]


def test_the_reporter_and_the_agency_still_see_a_confidential_report(client, hidden_reports,
                                                                    make_user):
    confidential, rejected, shown = hidden_reports
    assert client.get(confidential.tracking_url()).status_code == 200
    client.force_login(make_user("dispatcher", agency="DLHK"))
    assert client.get(f"/office/r/{confidential.ticket}/").status_code == 200


def test_a_rejected_report_is_hidden_from_strangers_and_tells_its_reporter_why(
        client, hidden_reports):
    confidential, rejected, shown = hidden_reports
    assert client.get(f"/r/{rejected.ticket}").status_code == 404
    page = client.get(rejected.tracking_url()).content.decode()
    assert 'id="rejected"' in page and "Laporan ini tidak ditindaklanjuti." in page
    rejected.refresh_from_db()
    assert rejected.reject_reason and rejected.reject_reason in page
    page = client.get(confidential.tracking_url()).content.decode()
    assert 'id="confidential-note"' in page
