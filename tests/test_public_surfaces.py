"""What the public sees of sensitive reports and of the city pack (issue 24, defect 7)."""

import pytest

from sigap.agencies.models import Category
from sigap.reports import services

pytestmark = pytest.mark.django_db


def test_childrens_facilities_and_welfare_is_a_sensitive_category(kupang):
    assert Category.objects.get(city=kupang, code="FAS_ANAK").is_sensitive


@pytest.fixture
def resolved_sensitive(make_report, make_user, now, photo):
    report = make_report(code="FAS_ANAK", description="Anak di rumah nomor 5 ditelantarkan",
                         photos=[photo()])
    desk = make_user("dispatcher", agency=report.agency)
    officer = make_user("officer", agency=report.agency)
    services.verify(report.pk, actor=desk, now=now)
    services.assign(report.pk, actor=desk, now=now, officer=officer)
    services.resolve(report.pk, actor=officer, now=now, note="Ditangani", photos=[photo()])
    assert report.photos.count() == 2  # the reporter's and the officer's proof
    return report


def test_the_public_tracking_page_shows_no_photo_of_a_sensitive_report(client,
                                                                       resolved_sensitive):
    html = client.get(f"/r/{resolved_sensitive.ticket}").content.decode()  # no private key
    for photo in resolved_sensitive.photos.all():
        assert photo.image.name.rsplit("/", 1)[-1] not in html


def test_the_rest_api_shows_no_photo_of_a_sensitive_report_to_the_public(client,
                                                                         resolved_sensitive):
    data = client.get(f"/api/v1/reports/{resolved_sensitive.ticket}/").json()
    assert data.get("photos", []) == []


def test_staff_still_see_the_proof(client, resolved_sensitive, make_user):
    from sigap.reports import privacy

    desk = make_user("dispatcher", agency=resolved_sensitive.agency)
    view = privacy.view_for(resolved_sensitive, user=desk)
    assert len(privacy.photos(resolved_sensitive, view, resolved_sensitive.photos.all())) == 2


@pytest.mark.parametrize("lang,expected", [("id", "Sampah menumpuk"), ("en", "Rubbish piling")])
def test_open311_publishes_the_public_description_not_the_planning_notes(client, kupang, lang,
                                                                          expected):
    sampah = Category.objects.get(city=kupang, code="SAMPAH")
    assert "DLHK in local news" in sampah.description  # the pack's internal note
    client.cookies["django_language"] = lang
    services_list = client.get("/open311/v2/services.json", HTTP_ACCEPT_LANGUAGE=lang).json()
    published = {s["service_code"]: s["description"] for s in services_list}
    assert published["SAMPAH"].startswith(expected)
    for text in published.values():
        assert text and "local news" not in text and "DP3A" not in text
    one = client.get("/open311/v2/services/SAMPAH.json", HTTP_ACCEPT_LANGUAGE=lang).json()
    assert "local news" not in str(one)


def test_open311_reads_are_rate_limited_like_rest(client, kupang, monkeypatch):
    from sigap.open311.views import ReadThrottle

    monkeypatch.setattr(ReadThrottle, "THROTTLE_RATES", {"open311": "3/min"})
    answers = [client.get("/open311/v2/services.json") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1]["Retry-After"]) >= 1
    assert answers[-1].json()[0]["code"] == 429
    # another address is not held back by the first one's reads
    assert client.get("/open311/v2/services.json", REMOTE_ADDR="10.9.9.9").status_code == 200
