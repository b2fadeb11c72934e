"""The desk's report page shows the suggester's category when it differs from the citizen's
choice, with a one-click recategorise through the existing action (services.recategorise)."""

from datetime import timedelta

import pytest

from sigap.reports.models import ReportEvent
from sigap.suggest import training

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(make_user, kupang, now):
    training.retrain(kupang, now=now)
    return make_user("admin")


def test_it_offers_the_better_category_and_one_click_moves_it(client, desk, make_report, now):
    report = make_report("SAMPAH", at=now - timedelta(hours=1),
                         description="Got tasumbat, air naik ke jalan kalau hujan")
    client.force_login(desk)
    page = client.get(f"/office/r/{report.ticket}/").content.decode()
    assert 'id="suggested"' in page and "Banjir / saluran tersumbat" in page
    assert 'name="category" value="BANJIR_DRAINASE"' in page
    response = client.post(f"/office/r/{report.ticket}/aksi/recategorise/",
                           {"category": "BANJIR_DRAINASE"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.category.code == "BANJIR_DRAINASE"
    event = report.events.get(kind=ReportEvent.Kind.RECATEGORISED)
    assert event.actor == desk and event.data["from"] == "SAMPAH"


def test_it_says_nothing_when_the_citizen_chose_well(client, desk, make_report, now):
    report = make_report("SAMPAH", description="Sampah menumpuk di pinggir jalan, bau sekali")
    client.force_login(desk)
    page = client.get(f"/office/r/{report.ticket}/").content.decode()
    assert 'id="suggested"' not in page


def test_it_says_nothing_once_the_report_left_the_queue(client, desk, make_report, now):
    from sigap.reports import services

    report = make_report("SAMPAH", description="Got tasumbat, air naik ke jalan")
    services.verify(report.pk, actor=desk, now=now)
    client.force_login(desk)
    assert 'id="suggested"' not in client.get(f"/office/r/{report.ticket}/").content.decode()


def test_staff_who_may_not_recategorise_see_no_suggestion(client, desk, make_report,
                                                          make_user, now):
    report = make_report("SAMPAH", description="Got tasumbat, air naik ke jalan")
    officer = make_user("officer", agency="DLHK")
    client.force_login(officer)
    page = client.get(f"/office/r/{report.ticket}/")
    assert 'id="suggested"' not in page.content.decode()
