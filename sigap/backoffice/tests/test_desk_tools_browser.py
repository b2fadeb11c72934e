"""The dispatcher's tools on a 1366×768 office screen (Chromium): the inbox's count of
possible duplicates on each new report, the duplicate suggestions with their merge buttons,
the proof photos' distance with its warning, and the call-centre form are on screen and not
covered. Screenshots: docs/screenshots/backoffice-*-1366x768."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import jpeg_bytes
from sigap.citizen.tests.browsing import DESK, shot, uncovered_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_report_page_shows_suggestions_and_proof_distance(signed_in, live_server,
                                                              make_user, make_report):
    from sigap.reports import services

    now = timezone.now()
    desk = make_user("dispatcher", agency="DLHK", display_name="Maria Dispatcher")
    officer = make_user("officer", agency="DLHK", display_name="Yohanes Petugas")
    kept = make_report(lat=-10.1705, lng=123.6005, at=now - timedelta(hours=5),
                       description="Sampah di depan pasar, sudah tiga hari")
    new = make_report(at=now - timedelta(minutes=10), description="Tumpukan sampah bau")
    done = make_report(at=now - timedelta(hours=2))
    services.assign(done.pk, actor=desk, now=now, officer=officer)
    services.resolve(done.pk, actor=officer, now=now, note="Sudah diangkut",
                     photos=[jpeg_bytes(size=(400, 300), exif_gps=True),
                             jpeg_bytes(size=(400, 300), color=(40, 160, 80))])

    page = signed_in(desk, DESK)
    page.goto(f"{live_server.url}/office/?status=submitted")
    hint = page.locator(f'tr[data-ticket="{new.ticket}"] .dup-hint')
    assert hint.inner_text() == "1 mungkin duplikat"  # the kept one (`done` is resolved)
    assert uncovered_problems(page, f'tr[data-ticket="{new.ticket}"] .dup-hint') == []
    shot(page, "backoffice-inbox-duplicates-1366x768")
    hint.click()
    page.wait_for_url(f"**/office/r/{new.ticket}/#duplicates")
    page.wait_for_selector("#duplicates")
    assert kept.ticket in page.inner_text("#duplicates")
    assert uncovered_problems(page, "#duplicates h2", "#duplicates button") == []
    shot(page, "backoffice-duplicates-1366x768")

    page.goto(f"{live_server.url}/office/r/{done.ticket}/")
    page.locator("figure.proof").first.scroll_into_view_if_needed()
    captions = page.locator("figure.proof figcaption").all_inner_texts()
    assert captions[0].startswith("⚠ diambil 37") and captions[1] == "tanpa lokasi"
    assert uncovered_problems(page, "figure.proof .warn") == []
    shot(page, "backoffice-proof-distance-1366x768")

    page.goto(f"{live_server.url}/office/telepon/?category=SAMPAH")
    page.wait_for_selector("#phone-form")
    assert uncovered_problems(page, "#phone-form input[name=phone]",
                              "#phone-form select[name=kelurahan]") == []
    shot(page, "backoffice-phone-desk-1366x768")


def test_the_citizen_sees_the_planned_date_on_a_phone(signed_in, live_server, make_user,
                                                      make_report):
    from sigap.citizen.tests.browsing import PHONE
    from sigap.reports import services

    now = timezone.now()
    desk = make_user("dispatcher", agency="DLHK")
    report = make_report(at=now - timedelta(hours=3))
    services.verify(report.pk, actor=desk, now=now)
    services.schedule(report.pk, actor=desk, now=now, on=(now + timedelta(days=3)).date(),
                      note="Menunggu truk pengangkut")
    page = signed_in(None, PHONE)
    page.goto(f"{live_server.url}/r/{report.ticket}")
    assert page.inner_text("#status") == "Dijadwalkan"
    assert page.inner_text("#scheduled-for").startswith("Dijadwalkan dikerjakan pada ")
    assert "Menunggu truk pengangkut" in page.inner_text("#timeline")
    assert uncovered_problems(page, "#status", "#scheduled-for") == []
    shot(page, "citizen-scheduled-360x740")
