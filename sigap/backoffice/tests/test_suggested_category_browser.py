"""The desk's suggested category on the report page, on an office screen and on a phone
(Chromium): on screen, not covered, and one click recategorises. Screenshots:
docs/screenshots/backoffice-suggested-category-{1366x768,360x640,360x740}.png."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sigap.citizen.tests.browsing import DESK, PHONES, shot, uncovered_problems
from sigap.suggest import training

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESK, *PHONES], ids=["1366", "640", "740"])
def test_the_desk_sees_and_takes_the_suggestion(signed_in, live_server, make_user,
                                                make_report, kupang, viewport):
    now = timezone.now()
    training.retrain(kupang, now=now)
    desk = make_user("admin", display_name="Admin Kota")
    report = make_report("SAMPAH", at=now - timedelta(minutes=20),
                         description="Got tasumbat, air naik ke jalan kalau hujan")
    page = signed_in(desk, viewport)
    page.goto(f"{live_server.url}/office/r/{report.ticket}/")
    card = page.locator("#suggested")
    card.scroll_into_view_if_needed()
    assert "Banjir / saluran tersumbat" in card.inner_text()
    assert uncovered_problems(page, "#suggested h2", "#suggested button") == []
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth")
    shot(page, f"backoffice-suggested-category-{viewport['width']}x{viewport['height']}")
    card.locator("button").click()
    page.wait_for_load_state()
    report.refresh_from_db()
    assert report.category.code == "BANJIR_DRAINASE"
