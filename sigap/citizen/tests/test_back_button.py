"""In headless Chromium on a phone: the browser's Back and Forward move between the report
form's steps and keep the photos, the place and the text; so do a reload and a trip to the
home page and back (the draft kept on the phone). Screenshots: citizen-back-*.png."""

import pytest

from sigap.citizen.tests.browsing import PHONE, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def at_step(page, n):
    page.wait_for_selector(f"section[data-step='{n}']:not([hidden])")


def kept(page, description=None):
    assert page.locator("#photo-list img").count() == 1
    assert page.locator("input[name=category][value=PARKIR_LIAR]").is_checked()
    assert page.input_value("[name=lat]") and page.input_value("[name=lng]")
    if description is not None:
        assert page.input_value("#id_description") == description


def to_the_place(page, live_server, tmp_path, jpeg: bytes):
    """Open the form, choose illegal parking, add a photo, and place the pin on the map."""
    image = tmp_path / "parkir.jpg"
    image.write_bytes(jpeg)
    page.goto(f"{live_server.url}/lapor/")
    page.locator("label.tile", has_text="Parkir liar").click()
    at_step(page, 2)
    page.set_input_files("#photo-gallery", str(image))
    page.wait_for_selector("#photo-list img")
    page.click("#next")
    at_step(page, 3)
    page.locator("#map").click()
    page.wait_for_selector("#place.ok")


def test_back_and_forward_keep_what_was_entered(screen, live_server, tmp_path, photo):
    _context, page = screen(PHONE)
    page.goto(f"{live_server.url}/")
    to_the_place(page, live_server, tmp_path, photo(size=(1200, 900)))
    page.click("#next")
    at_step(page, 4)
    text = "Mobil parkir di trotoar depan toko, menutup jalan pejalan kaki."
    page.fill("#id_description", text)

    # Back at every step, then Forward again: nothing lost on the way.
    page.go_back()
    at_step(page, 3)
    kept(page)
    page.go_back()
    at_step(page, 2)
    kept(page)
    shot(page, "citizen-back-photos")
    page.go_back()
    at_step(page, 1)
    kept(page)
    page.go_forward()
    at_step(page, 2)
    page.go_forward()
    at_step(page, 3)
    page.go_forward()
    at_step(page, 4)
    kept(page, text)

    # A reload (or a tab the phone killed) comes back to the same step with everything.
    page.wait_for_timeout(500)  # the draft is written a quarter of a second after typing
    page.reload()
    at_step(page, 4)
    kept(page, text)
    page.wait_for_selector("#place.ok", state="attached")  # the restored place is checked

    # Back out of the form to the home page, then Forward into it again.
    for _ in range(3):
        page.go_back()
    at_step(page, 1)
    page.go_back()
    page.wait_for_url(f"{live_server.url}/")
    page.go_forward()
    at_step(page, 1)
    kept(page, text)
    shot(page, "citizen-back-restored")

    # Sent: the draft is gone, the next report starts empty.
    page.go_forward()
    at_step(page, 2)
    for n in (3, 4):
        page.click("#next")
        at_step(page, n)
    page.click("#submit")
    page.wait_for_url("**/terkirim?k=*")
    page.goto(f"{live_server.url}/lapor/")
    at_step(page, 1)
    page.wait_for_timeout(300)
    assert page.locator("#photo-list img").count() == 0
    assert not page.locator("input[name=category]:checked").count()


def test_next_waits_for_the_place_being_checked(screen, live_server, tmp_path, photo):
    """A restored draft checks its place again; Next pressed before the answer comes (a slow
    network) waits for it and moves on, instead of saying "choose a place"."""
    _context, page = screen(PHONE)
    to_the_place(page, live_server, tmp_path, photo(size=(800, 600)))
    page.wait_for_timeout(500)  # the draft is written a quarter of a second after a change

    held, released = [], []

    def hold(route):  # the place's check hangs until released
        if released:
            route.continue_()
        else:
            held.append(route)

    page.route("**/lapor/lokasi*", hold)
    page.reload()
    at_step(page, 3)
    page.wait_for_function("document.querySelector('#place').className.indexOf('ok') < 0")
    assert held, "the restored draft did not check its place"
    page.click("#next")
    page.wait_for_timeout(300)
    assert page.locator("#nav-error").is_hidden()  # no "choose a place" while it is checked
    released.append(True)
    for route in held:
        route.continue_()
    at_step(page, 4)
