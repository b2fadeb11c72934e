"""Following a place on a small phone (360×640 and 360×740): the "Ikuti daerah ini" buttons
of the report page and the city's map, and the follow page, its main action on screen and
uncovered. Screenshots: follow-*.png in the screenshots folder."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sigap.citizen.tests import browsing
from sigap.citizen.tests.browsing import PHONES, shot, uncovered_problems

SHOTS, _async_unsafe, browser = browsing.SHOTS, browsing._async_unsafe, browsing.browser
screen, signed_in = browsing.screen, browsing.signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def size_name(viewport):
    return f"{viewport['width']}x{viewport['height']}"


@pytest.mark.parametrize("viewport", PHONES, ids=size_name)
def test_a_visitor_follows_the_place_of_a_report(screen, live_server, make_report, viewport):
    from sigap.follows.models import Follow

    report = make_report(at=timezone.now() - timedelta(hours=2))
    name = size_name(viewport)
    _context, page = screen(viewport)
    page.goto(live_server.url + report.get_absolute_url())
    button = page.locator("#follow-area")
    button.evaluate("e => e.scrollIntoView({block: 'center'})")
    assert uncovered_problems(page, "#follow-area") == []
    shot(page, f"follow-1-report-{name}")
    button.click()
    page.wait_for_selector("#follow-form")
    assert report.kelurahan.name in page.locator("#follow-place").inner_text()
    assert uncovered_problems(page, "#follow-submit") == []  # the main action, first screen
    shot(page, f"follow-2-page-{name}")
    page.fill("#id_destination", "warga@contoh.id")
    page.click("#follow-submit")
    page.wait_for_selector(".msg")
    assert "warga@contoh.id" in page.locator(".msg").first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, f"follow-3-sent-{name}")
    assert Follow.objects.get().confirmed_at is None


@pytest.mark.parametrize("viewport", PHONES, ids=size_name)
def test_the_city_map_follows_the_circle_it_shows(screen, live_server, viewport):
    name = size_name(viewport)
    _context, page = screen(viewport)
    page.goto(live_server.url + "/laporan/")
    page.wait_for_function(
        "() => (document.getElementById('follow-area').href || '').includes('&r=')")
    href = page.locator("#follow-area").get_attribute("href")
    radius = int(href.split("&r=")[1])
    assert 100 <= radius <= 3000
    page.locator("#follow-area").evaluate("e => e.scrollIntoView({block: 'center'})")
    assert uncovered_problems(page, "#follow-area") == []
    shot(page, f"follow-4-map-{name}")
    page.click("#follow-area")
    page.wait_for_selector("#follow-form")
    assert "radius" in page.locator("#follow-place").inner_text()
    assert uncovered_problems(page, "#follow-submit") == []


@pytest.mark.parametrize("viewport", PHONES, ids=size_name)
def test_a_citizen_sees_and_stops_their_follows(signed_in, live_server, make_user, make_report,
                                                viewport):
    from sigap.follows.models import Follow

    report = make_report(at=timezone.now() - timedelta(hours=2))
    me = make_user(email="saya@contoh.id", display_name="Maria")
    now = timezone.now()
    Follow.objects.create(city=report.city, kelurahan=report.kelurahan, user=me,
                          channel="email", destination=me.email, confirmed_at=now,
                          created_at=now)
    Follow.objects.create(city=report.city, lat=report.lat, lng=report.lng, radius_m=750,
                          user=me, channel="whatsapp", destination="+6281234567890",
                          frequency="daily", created_at=now)
    page = signed_in(me, viewport)
    page.goto(live_server.url + "/ikuti/saya/")
    assert page.locator("#my-follows li").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert uncovered_problems(page, "#my-follows li:first-child button") == []
    shot(page, f"follow-5-mine-{size_name(viewport)}")
    page.locator("#my-follows li:first-child button").click()
    page.wait_for_selector(".msg")
    assert page.locator("#my-follows li").count() == 1
    assert Follow.objects.filter(user=me).count() == 1
