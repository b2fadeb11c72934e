"""Re-categorise on the triage desk: the report goes to the new category's agency, its
deadlines are counted again with that category's SLA, a RECATEGORISED event is written and
the citizen sees it."""

from datetime import timedelta

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def triage(make_report, make_user, now):
    report = make_report("LAINNYA", at=now - timedelta(hours=3),
                         description="Ada lubang besar di jalan depan rumah")
    desk = make_user("dispatcher", agency="KOMINFO")
    return report, desk


def test_it_reroutes_recomputes_the_sla_and_records_it(triage, now, category):
    from sigap.reports import services
    from sigap.reports.models import ReportEvent

    report, desk = triage
    old_due = report.due_at
    road = category("JALAN_RUSAK")
    services.recategorise(report.pk, actor=desk, now=now, category=road, note="Jalan rusak")
    report.refresh_from_db()
    assert report.category == road and report.agency.code == "PUPR"
    assert report.status == "submitted" and report.officer is None
    expected_response, expected_due = services.due_times(road, report.agency, report.city, now)
    assert (report.response_due_at, report.due_at) == (expected_response, expected_due)
    assert report.due_at != old_due
    event = report.events.get(kind=ReportEvent.Kind.RECATEGORISED)
    assert event.is_public and event.actor == desk and event.note == "Jalan rusak"
    assert event.data == {"from": "LAINNYA", "to": "JALAN_RUSAK", "from_agency": "KOMINFO",
                          "agency": "PUPR"}


def test_only_the_desk_of_the_handling_agency_may(triage, now, category, make_user):
    from sigap.reports import services
    from sigap.reports.workflow import TransitionError

    report, _desk = triage
    for stranger in (make_user("dispatcher", agency="DLHK"), make_user("citizen"),
                     make_user("officer", agency="KOMINFO")):
        with pytest.raises(TransitionError):
            services.recategorise(report.pk, actor=stranger, now=now,
                                  category=category("SAMPAH"))
    report.refresh_from_db()
    assert report.category.code == "LAINNYA"


def test_the_desk_does_it_and_the_citizen_sees_it(client, triage, now):
    report, desk = triage
    client.force_login(desk)
    page = client.get(f"/office/r/{report.ticket}/").content.decode()
    assert 'id="recategorise"' in page and 'value="JALAN_RUSAK"' in page
    response = client.post(f"/office/r/{report.ticket}/aksi/recategorise/",
                           {"category": "JALAN_RUSAK", "note": ""})
    # The report left this desk's agency: back to the inbox.
    assert response.status_code == 302 and response["Location"] == "/office/"
    client.logout()
    track = client.get(report.tracking_url()).content.decode()
    assert "Kategori diubah, diteruskan ke" in track and "Jalan rusak" in track
    assert client.post(f"/office/r/{report.ticket}/aksi/recategorise/",
                       {"category": "SAMPAH"}).status_code == 302  # to sign-in


def test_it_refuses_the_same_category(triage, now, category):
    from django.core.exceptions import ValidationError

    from sigap.reports import services

    report, desk = triage
    with pytest.raises(ValidationError):
        services.recategorise(report.pk, actor=desk, now=now, category=category("LAINNYA"))
