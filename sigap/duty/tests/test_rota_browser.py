"""The rota page on a phone (360×640 and 360×740): the head adds a night shift with the
form, sees it listed, and nothing is cut or covered. Screenshots: docs/screenshots/duty-*."""

from datetime import time

import pytest
from django.utils import timezone

from sigap.citizen.tests import browsing
from sigap.duty.models import Shift

SHOTS, _async_unsafe, browser = browsing.SHOTS, browsing._async_unsafe, browsing.browser
screen, signed_in = browsing.screen, browsing.signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", browsing.PHONES, ids=["360x640", "360x740"])
def test_the_head_edits_the_rota_on_a_phone(signed_in, live_server, make_user, team_of,
                                            viewport):
    head = make_user("head", agency="DAMKAR", display_name="Kepala Damkar")
    yohanes = make_user("officer", agency="DAMKAR", display_name="Yohanes (Tim Kota)")
    desk = make_user("dispatcher", agency="DAMKAR", display_name="Dewi (Meja)")
    Shift.objects.create(agency=head.agency, user=desk, starts=time(0), ends=time(0),
                         created_at=timezone.now())
    page = signed_in(head, viewport)
    page.goto(f"{live_server.url}/office/jaga/")
    page.wait_for_selector("text=Dewi (Meja)")
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth")
    page.select_option("#id_user", str(yohanes.pk))
    page.select_option("#id_team", str(team_of(yohanes).pk))
    for day in ("0", "1", "2", "3", "6"):
        page.uncheck(f"input[name=weekdays][value='{day}']")
    page.fill("#id_starts", "22:00")
    page.fill("#id_ends", "06:00")
    page.click("button:has-text('Simpan giliran')")
    page.wait_for_selector("text=Giliran jaga disimpan.")
    shift = Shift.objects.get(user=yohanes)
    assert (shift.weekdays, shift.starts, shift.ends) == ("45", time(22), time(6))
    assert "lewat tengah malam" in page.inner_text(".rota")
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth")
    assert browsing.uncovered_problems(page, "h1", ".rota-shift") == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = f"{viewport['width']}x{viewport['height']}"
    page.screenshot(path=str(SHOTS / f"duty-rota-{size}.png"))
    page.evaluate("() => document.querySelector('.top').style.setProperty('position', 'static')")
    page.screenshot(path=str(SHOTS / f"duty-rota-{size}-full.png"), full_page=True)


def test_the_desk_takes_an_emergency_page_from_the_report_page(signed_in, live_server,
                                                               make_user, make_report,
                                                               team_of):
    from sigap.duty.models import Callout

    officer = make_user("officer", agency="DAMKAR", display_name="Yohanes (Tim Kota)")
    Shift.objects.create(agency=officer.agency, team=team_of(officer), user=officer,
                         starts=time(0), ends=time(0), created_at=timezone.now())
    desk = make_user("dispatcher", agency="DAMKAR", display_name="Dewi (Meja Damkar)")
    report = make_report("KEBAKARAN", at=timezone.now(), description="Rumah terbakar",
                         address="Jl. Adisucipto, Penfui", lat=-10.1716, lng=123.6711)
    page = signed_in(desk, browsing.DESK)
    page.goto(f"{live_server.url}/office/r/{report.ticket}/")
    card = page.wait_for_selector(".card.callout")
    assert "Panggilan darurat" in card.inner_text()
    assert "Panggilan darurat ke petugas jaga" in page.inner_text(".timeline")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "duty-report-callout-1366x768.png"))
    page.click(".card.callout button")
    page.wait_for_selector("text=Panggilan diterima.")
    assert page.query_selector(".card.callout") is None
    assert Callout.objects.get(report=report).acked_by == desk
