"""In headless Chromium: the office's report page says which deadline a report missed, on a
phone and at a desk (screenshots backoffice-deadline-*.png)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sigap.citizen.tests import browsing
from sigap.reports import sla

SHOTS, _async_unsafe, browser = browsing.SHOTS, browsing._async_unsafe, browsing.browser
screen, signed_in = browsing.screen, browsing.signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", browsing.PHONES + [browsing.DESK],
                         ids=["360x640", "360x740", "1366x768"])
def test_the_report_page_shows_the_missed_first_response(
        signed_in, live_server, make_user, make_report, viewport):
    now = timezone.now()
    dispatcher = make_user("dispatcher", agency="DAMKAR", display_name="Desk Damkar")
    make_user("head", agency="DAMKAR")
    report = make_report("KEBAKARAN", at=now - timedelta(minutes=20),
                         description="Asap tebal dari gudang di belakang pasar")
    sla.run_escalations(now)
    page = signed_in(dispatcher, viewport, mobile=viewport["width"] < 800)
    page.goto(f"{live_server.url}/office/r/{report.ticket}/")
    row = page.locator("#deadline-response")
    assert "terlambat" in row.inner_text() and "Eskalasi: kepala dinas" in row.inner_text()
    assert "Eskalasi" not in page.locator("#deadline-resolve").inner_text()
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    name = f"{viewport['width']}x{viewport['height']}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"backoffice-deadline-{name}.png"))
