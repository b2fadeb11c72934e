"""In headless Chromium on a phone: describing the problem on the form's first step offers
the city's suggested categories as chips; a tap chooses the tile and goes on, and the words
carry into the description. Screenshots: citizen-suggest-360x640.png, -360x740.png."""

import pytest

from sigap.citizen.tests.browsing import PHONES, shot, uncovered_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at_step(page, n):
    page.wait_for_selector(f"section[data-step='{n}']:not([hidden])")


@pytest.mark.parametrize("viewport", PHONES, ids=["640", "740"])
def test_a_tap_on_a_suggestion_chooses_the_category(screen, live_server, viewport):
    _context, page = screen(viewport)
    requests = []
    page.on("request", lambda r: "/categories/suggest/" in r.url and requests.append(r.url))
    page.goto(f"{live_server.url}/lapor/")
    page.locator("#cat-search").press_sequentially("got tasumbat, air naik ke jalan", delay=20)
    page.wait_for_selector("#suggest:not([hidden]) .chip")
    assert len(requests) <= 2, requests  # debounced: not one request per letter
    chips = page.locator("#suggest .chip")
    assert chips.first.inner_text() == "Banjir / saluran tersumbat"
    assert uncovered_problems(page, "#cat-search", "#suggest .chip", "#next") == []
    assert not page.evaluate("document.documentElement.scrollWidth > innerWidth")
    shot(page, f"citizen-suggest-360x{viewport['height']}")
    chips.first.click()
    at_step(page, 2)
    assert page.locator("input[name=category][value=BANJIR_DRAINASE]").is_checked()
    assert page.input_value("#id_description") == "got tasumbat, air naik ke jalan"


def test_the_form_works_on_when_the_suggester_does_not_answer(screen, live_server):
    _context, page = screen(PHONES[0])
    page.route("**/categories/suggest/*", lambda route: route.abort())
    page.goto(f"{live_server.url}/lapor/")
    page.locator("#cat-search").press_sequentially("sampah", delay=20)
    page.wait_for_timeout(600)
    assert page.locator("#suggest").is_hidden()
    page.locator("label.tile", has_text="Sampah").first.click()
    at_step(page, 2)


def test_a_description_of_the_citizens_own_is_never_overwritten(screen, live_server):
    _context, page = screen(PHONES[1])
    page.goto(f"{live_server.url}/lapor/")
    page.evaluate("document.getElementById('id_description').value = 'Tulisan saya sendiri'")
    page.locator("#cat-search").press_sequentially("lampu merah mati", delay=20)
    page.wait_for_selector("#suggest:not([hidden]) .chip")
    assert page.input_value("#id_description") == "Tulisan saya sendiri"
