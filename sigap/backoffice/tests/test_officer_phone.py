"""The officer's resolve form on a small phone (360×640, 360×740): the camera button, the note
and "Tandai selesai" are on screen and not covered; the proof photo is previewed and resized
in the browser; after an error the page stays at the task's address, keeping photo and note.
The SLA countdown reads "2 hari 23 jam" (not "2h 23j"). Screenshots: docs/screenshots/."""

import re
from datetime import timedelta

import pytest
from conftest import Client
from django.utils import timezone
from PIL import Image

from sigap.citizen.tests.browsing import PHONES, shot, uncovered_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_page(screen, live_server, user, viewport):
    client = Client()
    client.force_login(user)
    context, page = screen(viewport)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    return page


@pytest.mark.parametrize("viewport", PHONES, ids=lambda v: f"{v['width']}x{v['height']}")
def test_the_resolve_form_fits_a_phone_and_keeps_its_address_after_an_error(
        screen, live_server, make_user, make_report, photo, tmp_path, viewport):
    from sigap.reports import services
    from sigap.reports.models import Report

    now = timezone.now()
    officer = make_user("officer", agency="DLHK", display_name="Yohanes Petugas")
    dispatcher = make_user("dispatcher", agency="DLHK")
    report = make_report(at=now - timedelta(hours=1))
    services.verify(report.pk, actor=dispatcher, now=now)
    services.assign(report.pk, actor=dispatcher, now=now, officer=officer)
    services.start(report.pk, actor=officer, now=now)
    name = f"{viewport['width']}x{viewport['height']}"

    page = signed_in_page(screen, live_server, officer, viewport)
    page.goto(f"{live_server.url}/office/tugas/")
    due = page.locator("[data-due]").first.inner_text()
    assert re.fullmatch(r"\d+ hari \d+ jam lagi|\d+ jam \d+ menit lagi", due), due
    task_url = f"{live_server.url}/office/tugas/{report.ticket}/"
    page.goto(task_url)
    page.locator("#resolve-submit").scroll_into_view_if_needed()
    problems = uncovered_problems(page, "#proof-camera", "#resolve-note", "#resolve-submit")
    assert problems == [], problems

    # No photo yet: the error shows on the task's page, the note is kept.
    page.fill("#resolve-note", "Sampah sudah diangkut")
    page.click("#resolve-submit")
    page.wait_for_selector("#resolve-error:not([hidden])")
    assert "foto bukti" in page.inner_text("#resolve-error")
    assert page.url == task_url and page.input_value("#resolve-note") == "Sampah sudah diangkut"
    assert uncovered_problems(page, "#resolve-error") == []

    big = tmp_path / "bukti.jpg"
    big.write_bytes(photo(size=(2400, 1800), color=(40, 160, 80)))
    page.set_input_files("#proof-input", str(big))
    page.wait_for_selector("#proof-list img")
    page.locator("#resolve-submit").scroll_into_view_if_needed()
    assert uncovered_problems(page, "#proof-list li", "#resolve-submit") == []
    shot(page, f"officer-{name}-resolve-form")
    page.click("#resolve-submit")
    page.wait_for_url("**/office/tugas/")
    report.refresh_from_db()
    assert report.status == "resolved"
    proof = report.photos.get(kind="proof")
    with Image.open(proof.image.path) as img:
        assert max(img.size) == 1600  # resized on the phone before upload
    assert Report.objects.count() == 1


@pytest.mark.parametrize("lang, pattern", [
    ("id", r"\d+ hari \d+ jam lagi"), ("en", r"\d+ days \d+ h left"),
])
def test_the_countdown_writes_days_as_words(screen, live_server, make_user, make_report, lang,
                                            pattern):
    from sigap.reports import services

    now = timezone.now()
    officer = make_user("officer", agency="DLHK")
    report = make_report(at=now)
    services.verify(report.pk, actor=make_user("dispatcher", agency="DLHK"), now=now)
    page = signed_in_page(screen, live_server, make_user("dispatcher", agency="DLHK"),
                          {"width": 1366, "height": 768})
    page.context.add_cookies([{"name": "django_language", "value": lang,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/office/r/{report.ticket}/")
    text = page.locator("[data-due]").first.inner_text()
    assert re.search(pattern, text), text
    assert officer  # the agency has an officer, as in life


def test_the_desk_signs_in_by_username_and_recategorises(screen, live_server, make_user,
                                                         make_report, photo):
    from sigap.citizen.tests.browsing import DESK

    report = make_report("LAINNYA", photos=[photo()], description="Lubang di jalan")
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    desk = make_user("dispatcher", agency="KOMINFO", username="triase",
                     display_name="Meja Triase")
    phone = TOTPDevice.objects.create(user=desk, name="HP", confirmed=True)
    context, page = screen(DESK, mobile=False)
    page.goto(f"{live_server.url}/office/")
    page.wait_for_url("**/office/masuk/?next=/office/")
    shot(page, "office-1366x768-0-staff-signin")
    page.fill("#id_username", "triase")
    page.fill("#id_password", "pw-Sigap-2026")
    page.click("button[type=submit]")
    # Then the second factor (docs/decisions/0008): the code of the authenticator on the phone.
    page.wait_for_url("**/akun/2fa/?next=%2Foffice%2F")
    code = TOTP(phone.bin_key, phone.step, phone.t0, phone.digits, phone.drift).token()
    page.fill("input[name=token]", f"{code:06d}")
    page.click("main button.primary")
    page.wait_for_url(f"{live_server.url}/office/")
    page.wait_for_selector("#inbox-map .leaflet-interactive")
    assert page.locator("td.with-thumb img.thumb").count() == 1
    shot(page, "office-1366x768-1-inbox")
    page.click(f"text={report.ticket}")
    page.wait_for_selector("#recategorise[open]")
    problems = uncovered_problems(page, "#recategorise-category",
                                  "#recategorise button[type=submit]")
    assert problems == [], problems
    page.select_option("#recategorise-category", "JALAN_RUSAK")
    shot(page, "office-1366x768-2-recategorise")
    page.click("#recategorise button[type=submit]")
    page.wait_for_url(f"{live_server.url}/office/")
    report.refresh_from_db()
    assert report.category.code == "JALAN_RUSAK" and report.agency.code == "PUPR"
