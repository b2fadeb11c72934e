"""The citizen's points and the transparency board on a phone: on screen, nothing cut off,
no sideways scrolling (screenshots: recognition-*.png)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sigap.citizen.tests import browsing
from sigap.recognition import services as recognition
from sigap.reports import services

SHOTS, _async_unsafe, browser = browsing.SHOTS, browsing._async_unsafe, browsing.browser
screen, signed_in, shot = browsing.screen, browsing.signed_in, browsing.shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLACES = [(-10.1716, 123.6711), (-10.17, 123.60), (-10.158, 123.585)]


@pytest.fixture
def recognised(make_report, make_user, photo, kupang):
    """A citizen with six fixed reports in three categories, and neighbours on the board."""
    now = timezone.now()
    dispatcher, officer = make_user("dispatcher", agency="DLHK"), make_user("officer",
                                                                          agency="DLHK")
    citizen = make_user(display_name="Maria Goreti Ndolu-Manafe")
    recognition.set_show_name(citizen, True)
    neighbours = [make_user(display_name=f"Tetangga {i}") for i in range(3)]

    def fix(report):
        services.assign(report.pk, actor=dispatcher, now=now, officer=officer)
        services.resolve(report.pk, actor=officer, now=now, note="Beres", photos=[photo()])

    for i in range(6):
        lat, lng = PLACES[i % 3]
        fix(make_report(reporter=citizen, lat=lat, lng=lng, at=now - timedelta(hours=2)))
    for i, neighbour in enumerate(neighbours):
        fix(make_report(reporter=neighbour, lat=PLACES[i][0], lng=PLACES[i][1],
                        at=now - timedelta(hours=2)))
    return citizen


def test_points_and_board_fit_a_phone(signed_in, live_server, recognised):
    for viewport in browsing.PHONES:
        page = signed_in(recognised, viewport)
        page.goto(live_server.url + reverse("citizen:mine"))
        assert page.locator("[data-points]").inner_text() == "60 poin"
        assert page.locator("[data-badge]").count() == 2  # first, five
        page.locator("#penghargaan button").evaluate("b => b.scrollIntoView({block: 'center'})")
        assert browsing.uncovered_problems(page, "#penghargaan button") == []
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        shot(page, f"recognition-mine-{viewport['height']}", full=True)
        page.goto(live_server.url + reverse("transparency:home") + "#papan-warga")
        page.wait_for_load_state("load")
        assert page.locator("[data-board-entry]").count() == 6
        assert "Maria Goreti Ndolu-Manafe" in page.locator("#papan-warga").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.locator("#papan-warga").evaluate(  # below the fixed header
            "e => window.scrollTo(0, e.getBoundingClientRect().top + scrollY - 70)")
        shot(page, f"recognition-board-{viewport['height']}")
