"""The sign-in pages of issue 24 on a phone (360×640 and 360×740) in headless Chromium: the
two-step set-up with its QR code, confirming a new contact, the lock with its unlock button.
Screenshots: docs/screenshots/accounts-*.png under `make screenshots`."""

import pytest
from django.test import Client

from sigap.citizen.tests import browsing
from sigap.citizen.tests.browsing import PHONES, shot, uncovered_problems

screen, signed_in = browsing.screen, browsing.signed_in
pytestmark = pytest.mark.django_db(transaction=True)


def session_of(client, page, live_server):
    page.context.add_cookies([{"name": "sessionid", "url": live_server.url,
                               "value": client.cookies["sessionid"].value}])


@pytest.mark.parametrize("viewport", PHONES, ids=lambda v: f"{v['width']}x{v['height']}")
def test_a_head_sets_up_two_step_verification_from_a_qr_code(screen, live_server, make_user,
                                                             viewport):
    make_user("head", agency="DLHK", username="kadis")
    client = Client()
    client.post("/akun/masuk/sandi/", {"destination": "kadis", "password": "pw-Sigap-2026"})
    _context, page = screen(viewport)
    session_of(client, page, live_server)
    page.goto(live_server.url + "/dasbor/")
    assert "/akun/2fa/" in page.url
    qr = page.locator(".qr svg")
    box = qr.bounding_box()
    assert box["width"] >= 180 and abs(box["width"] - box["height"]) < 2  # big and square
    assert uncovered_problems(page, ".qr svg") == []  # on screen as the page opens
    shot(page, f"accounts-2fa-setup-{viewport['height']}")
    page.locator("input[name=token]").evaluate("e => e.scrollIntoView({block: 'center'})")
    assert uncovered_problems(page, "input[name=token]") == []
    page.locator("summary").click()  # the key, for an app that cannot scan
    assert page.locator("code.secret").is_visible()


@pytest.mark.parametrize("viewport", PHONES, ids=lambda v: f"{v['width']}x{v['height']}")
def test_a_new_phone_number_waits_for_its_code(signed_in, live_server, make_user, sent,
                                               viewport):
    page = signed_in(make_user("citizen", email="siti@contoh.id"), viewport)
    page.goto(live_server.url + "/akun/profil/")
    page.fill("input[name=phone]", "0812 3456 7890")
    page.locator("form.hero button.primary").click()
    page.wait_for_url("**/akun/profil/kontak/")
    assert "+6281234567890" in page.content()
    assert uncovered_problems(page, "input[name=code]", "main button.primary") == []
    shot(page, f"accounts-contact-code-{viewport['height']}")


@pytest.mark.parametrize("viewport", PHONES, ids=lambda v: f"{v['width']}x{v['height']}")
def test_a_locked_person_sees_the_unlock_button(screen, live_server, make_user, settings,
                                                viewport):
    settings.AXES_FAILURE_LIMIT = 2
    make_user("dispatcher", agency="DLHK", username="dina", phone="+6281234567890")
    _context, page = screen(viewport)
    page.goto(live_server.url + "/akun/masuk/sandi/")
    page.fill("input[name=destination]", "dina")
    page.fill("input[name=password]", "salah")
    page.locator("main button.primary").click()
    assert "Sisa 1 kali percobaan" in page.content()
    shot(page, f"accounts-tries-left-{viewport['height']}")
    page.fill("input[name=password]", "salah")
    page.locator("main button.primary").click()
    assert uncovered_problems(page, "a.btn.primary") == []
    shot(page, f"accounts-locked-{viewport['height']}")
    page.locator("a.btn.primary").click()
    page.wait_for_url("**/akun/buka-kunci/?akun=dina")
    assert page.input_value("input[name=account]") == "dina"
