"""End to end in headless Chromium: a dispatcher verifies and assigns at a desk; the officer,
on a 360×740 phone, starts work, uploads the proof photo and resolves; the citizen's tracking
page shows it resolved. Screenshots go to docs/screenshots/backoffice-*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sigap.citizen.tests import browsing

# One headless Chromium for every app's browser tests (sigap/citizen/tests/browsing.py).
SHOTS, _async_unsafe, browser = browsing.SHOTS, browsing._async_unsafe, browsing.browser
screen, signed_in = browsing.screen, browsing.signed_in
SHOTS.mkdir(parents=True, exist_ok=True)
PHONE = {"width": 360, "height": 740}
DESK = {"width": 1366, "height": 768}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name, full=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"backoffice-{name}.png"), full_page=full)


def test_it_goes_from_inbox_to_resolved_with_proof(
        signed_in, live_server, make_user, make_report, photo, tmp_path, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    now = timezone.now()
    dispatcher = make_user("dispatcher", agency="DLHK", display_name="Dewi (Dispatcher DLHK)")
    officer = make_user("officer", agency="DLHK", display_name="Yohanes Petugas")
    make_user("officer", agency="DLHK", display_name="Maria Petugas")
    report = make_report(at=now - timedelta(hours=2), photos=[photo(color=(90, 120, 60))],
                         address="Jl. Timor Raya, Oesapa", answers={"volume": "sedang"},
                         description="Tumpukan sampah di depan pasar, sudah 3 hari")
    make_report(at=now - timedelta(hours=80), description="Sampah liar dekat sekolah",
                lat=-10.16, lng=123.58)
    make_report("POHON_TUMBANG", at=now - timedelta(minutes=30),
                description="Pohon tumbang menutup jalan", lat=-10.18, lng=123.62)

    desk = signed_in(dispatcher, DESK)
    desk.goto(f"{live_server.url}/office/")
    desk.wait_for_selector(f"text={report.ticket}")
    desk.wait_for_function("document.querySelector('[data-due]').textContent.length > 0")
    assert desk.locator("tr.overdue").count() >= 1  # the 80-hour-old report is late
    shot(desk, "1-inbox")
    desk.click(f"text={report.ticket}")
    desk.click("button:has-text('Verifikasi')")
    desk.wait_for_selector("text=Laporan diverifikasi.")
    desk.select_option("#assign-officer", str(officer.pk))
    desk.click("form[action$='/aksi/assign/'] button")
    desk.wait_for_selector("text=Laporan ditugaskan.")
    assert "Yohanes Petugas" in desk.inner_text(".facts")
    shot(desk, "2-report-assigned", full=True)

    field = signed_in(officer, PHONE)
    field.goto(f"{live_server.url}/office/tugas/")
    field.wait_for_selector(f"text={report.ticket}")
    shot(field, "3-officer-tasks")
    field.click(f"text={report.ticket}")
    field.wait_for_selector(".leaflet-container")
    assert "google.com/maps/dir/?api=1&destination=" in field.get_attribute(
        "a:has-text('Petunjuk arah')", "href")
    shot(field, "4-officer-task")
    field.click("button:has-text('Mulai kerjakan')")
    field.wait_for_selector("text=Pekerjaan dimulai.")
    proof = tmp_path / "bukti.jpg"
    proof.write_bytes(photo(size=(640, 480), color=(40, 160, 80)))
    field.set_input_files("#proof-input", str(proof))
    field.wait_for_selector("#proof-list img")
    field.fill("textarea[name=note]", "Sampah sudah diangkut truk DLHK pukul 10.00")
    field.locator("button:has-text('Tandai selesai')").scroll_into_view_if_needed()
    shot(field, "5-officer-resolve-form")
    field.click("button:has-text('Tandai selesai')")
    field.wait_for_selector("text=Laporan diselesaikan.")
    assert report.ticket not in field.inner_text("ul.tasks")
    shot(field, "6-officer-done")

    citizen = signed_in(make_user("citizen"), PHONE)
    citizen.goto(f"{live_server.url}/r/{report.ticket}")
    body = citizen.inner_text("body")
    assert report.ticket in body and "Selesai" in body
    shot(citizen, "7-citizen-track-resolved")
