"""Moderation on screen: a citizen flags a comment on a 360-pixel phone, and the city's desk
hides it from the queue on a 1366×768 office screen. Screenshots: moderation-*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import jpeg_bytes
from sigap.citizen.tests import browsing
from sigap.citizen.tests.browsing import DESK, PHONES, shot, uncovered_problems

SHOTS, _async_unsafe, browser = browsing.SHOTS, browsing._async_unsafe, browsing.browser
screen, signed_in = browsing.screen, browsing.signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def size_name(viewport):
    return f"{viewport['width']}x{viewport['height']}"


@pytest.mark.parametrize("viewport", PHONES, ids=size_name)
def test_a_citizen_flags_a_comment_on_a_phone(signed_in, live_server, make_user, make_report,
                                              viewport):
    from sigap.reports import services
    from sigap.reports.models import Moderation

    now = timezone.now()
    report = make_report(at=now - timedelta(hours=3), photos=[jpeg_bytes((400, 300))])
    event = services.add_comment(report.pk, actor=make_user(), now=now,
                                 text="Nomor HP petugasnya 0812 1111 2222, telepon saja")
    page = signed_in(make_user(), viewport)
    page.goto(live_server.url + report.get_absolute_url())
    summary = page.locator("#timeline details.flag summary").first
    summary.evaluate("e => e.scrollIntoView({block: 'center'})")
    summary.click()
    page.locator("#timeline details.flag input[value=privacy]").first.check()
    button = page.locator("#timeline details.flag button").first
    button.evaluate("e => e.scrollIntoView({block: 'center'})")
    assert uncovered_problems(page, "#timeline details.flag button") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    shot(page, f"moderation-1-flag-{size_name(viewport)}")
    button.click()
    page.wait_for_selector(".msg")
    assert "Petugas kota akan meninjaunya" in page.locator(".msg").first.inner_text()
    assert uncovered_problems(page, ".msg") == []  # the answer is where the eye is
    shot(page, f"moderation-2-flagged-{size_name(viewport)}")
    assert Moderation.objects.get(event=event).flag_count == 1
    # A comment with a word of the city's filter: held, and the citizen is told on screen.
    services.set_words(report.city_id, "bangsat", actor=make_user("admin"), now=now)
    page.fill("#id_text", "Bangsat, sampahnya belum diangkut")
    page.locator("#komentar ~ form button").click()
    page.wait_for_selector(".msg")
    assert "menunggu tinjauan petugas" in page.locator(".msg").first.inner_text()
    assert uncovered_problems(page, ".msg") == []
    shot(page, f"moderation-5-held-{size_name(viewport)}")


def test_the_desk_hides_a_flagged_comment_from_its_queue(signed_in, live_server, make_user,
                                                         make_report):
    from sigap.reports import services
    from sigap.reports.models import Moderation

    now = timezone.now()
    report = make_report(at=now - timedelta(hours=3), photos=[jpeg_bytes((400, 300))])
    bad = services.add_comment(report.pk, actor=make_user(), now=now,
                               text="Dasar petugas malas, tidak becus kerja!")
    for n in range(3):
        services.flag("comment", bad.pk, flagger=f"d:{n}", reason="abuse", now=now)
    services.flag("photo", report.photos.get().pk, flagger="d:9", reason="privacy", now=now)
    services.set_words(report.city_id, "bangsat", actor=make_user("admin"), now=now)
    services.add_comment(report.pk, actor=make_user(), now=now, text="Bangsat, bau sekali")
    desk = make_user("dispatcher", agency="DLHK", display_name="Maria Dispatcher")
    page = signed_in(desk, DESK)
    page.goto(f"{live_server.url}/office/moderasi/")
    assert page.locator("#moderation-queue tbody tr").count() == 3
    first = page.locator("#moderation-queue tbody tr").first
    assert "3 laporan warga" in first.inner_text()
    assert uncovered_problems(page, "#moderation-queue tbody tr:first-child button.danger",
                              "#moderation-queue tbody tr:first-child input[name=reason]") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= DESK["width"]
    shot(page, "moderation-3-queue-1366x768")
    first.locator("input[name=reason]").fill("Menghina petugas")
    first.locator("button.danger").click()
    page.wait_for_selector(".msgs")
    assert page.locator("#moderation-queue tbody tr").count() == 2
    assert "Menghina petugas" in page.inner_text("#moderation-decided")
    shot(page, "moderation-4-decided-1366x768", full=True)
    assert Moderation.objects.get(event=bad).state == "hidden"
    page.goto(f"{live_server.url}/office/r/{report.ticket}/")
    assert "Disembunyikan dari publik" in page.inner_text("body")
