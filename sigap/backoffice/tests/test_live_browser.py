"""Issue 23, item 1 in headless Chromium: the dispatcher's open inbox receives a new report,
and one re-routed to the agency, without a reload: the row on top with its priority and
photo, the pin on the map, the bar counting it. Screenshot at 1366×768:
docs/screenshots/backoffice-live-inbox.png."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sigap.agencies.models import Agency
from sigap.citizen.tests import browsing
from sigap.reports import services

SHOTS, _async_unsafe, browser = browsing.SHOTS, browsing._async_unsafe, browsing.browser
screen, signed_in = browsing.screen, browsing.signed_in
DESK = {"width": 1366, "height": 768}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_inbox_receives_new_and_rerouted_reports_without_a_reload(
        signed_in, live_server, make_user, make_report, photo):
    now = timezone.now()
    dispatcher = make_user("dispatcher", agency="DAMKAR", display_name="Dewi (Meja Damkar)")
    make_report("KEBAKARAN", at=now - timedelta(hours=3), description="Asap dari gudang",
                lat=-10.16, lng=123.58, address="Jl. Soekarno, Fontein")
    desk = signed_in(dispatcher, DESK)
    desk.goto(f"{live_server.url}/office/")
    desk.wait_for_selector("#inbox-live")
    desk.evaluate("window.__sameDocument = true")
    desk.click("#live-sound")  # sound is allowed only after a click (autoplay rule)
    assert desk.get_attribute("#live-sound", "aria-pressed") == "true"

    fire = make_report("KEBAKARAN", at=timezone.now(), photos=[photo(color=(200, 80, 20))],
                       description="Rumah terbakar, api besar", lat=-10.1716, lng=123.6711,
                       address="Jl. Adisucipto, Penfui")
    row = desk.wait_for_selector(f"tr.arrived[data-ticket='{fire.ticket}']", timeout=10_000)
    assert "P1" in row.inner_text()
    assert row.query_selector("img.thumb") is not None
    desk.wait_for_selector(f".leaflet-tooltip:has-text('{fire.ticket}')")
    assert desk.evaluate("window.__sameDocument") is True  # no reload happened
    assert "1" in desk.inner_text("#live-text")
    assert desk.locator("#inbox-rows tbody tr").first.get_attribute("data-ticket") == fire.ticket

    # A report another desk re-routes here arrives the same way.
    elsewhere = make_report(at=timezone.now() - timedelta(minutes=20),
                            description="Asap dan api kecil di tempat sampah",
                            lat=-10.165, lng=123.60)
    services.reassign(elsewhere.pk, actor=make_user("dispatcher", agency="DLHK"),
                      now=timezone.now(), agency=Agency.objects.get(code="DAMKAR"),
                      reason="Ada api: untuk pemadam")
    desk.wait_for_selector(f"tr.arrived[data-ticket='{elsewhere.ticket}']", timeout=10_000)
    assert desk.evaluate("window.__sameDocument") is True
    desk.wait_for_timeout(600)  # the highlight's first flash settles
    SHOTS.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(SHOTS / "backoffice-live-inbox.png"))
