"""The chosen photos as thumbnails, one piece of script (SigapPhoto.thumbnails in
static/citizen/photo.js) on the citizen's report form and the officer's proof form, on a
small phone (360×640): each photo shows with a remove button, removing one takes it out of
what is sent and releases its preview. Screenshots: thumbnails-*.png."""

from datetime import timedelta

import pytest
from conftest import Client
from django.utils import timezone

from sigap.citizen.tests.browsing import PHONES, shot, uncovered_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SMALL = PHONES[0]  # 360×640


def two_photos(tmp_path, photo):
    paths = []
    for name, color in (("merah.jpg", (200, 30, 30)), ("hijau.jpg", (40, 160, 80))):
        path = tmp_path / name
        path.write_bytes(photo(size=(800, 600), color=color))
        paths.append(str(path))
    return paths


def released(page, src):
    """Whether the object URL `src` no longer loads (revoked)."""
    return page.evaluate("""src => new Promise(done => {
        const im = new Image();
        im.onload = () => done(false);
        im.onerror = () => done(true);
        im.src = src;
    })""", src)


def remove_first(page, selector):
    """Remove the first of two thumbnails; return whether the removed preview was released
    and whether the one left still shows."""
    first = page.get_attribute(f"{selector} li:first-child img", "src")
    page.click(f"{selector} li:first-child button.remove")
    page.wait_for_selector(f"{selector} li:nth-child(2)", state="detached")
    left = page.get_attribute(f"{selector} li:first-child img", "src")
    return released(page, first), not released(page, left)


def test_the_report_form_shows_and_removes_its_photos(screen, live_server, photo, tmp_path):
    _context, page = screen(SMALL)
    page.goto(f"{live_server.url}/lapor/")
    page.locator("label.tile", has_text="Sampah").click()
    page.wait_for_selector("section[data-step='2']:not([hidden])")
    page.set_input_files("#photo-gallery", two_photos(tmp_path, photo))
    page.wait_for_selector("#photo-list li:nth-child(2) img")
    assert page.get_attribute("#photo-list li:first-child button.remove",
                              "aria-label") == "Hapus foto"
    problems = uncovered_problems(page, "#photo-list li", "#next")
    assert problems == [], problems
    shot(page, "thumbnails-360x640-report-form")
    assert remove_first(page, "#photo-list") == (True, True)
    assert page.locator("#photo-list img").count() == 1


def test_the_proof_form_sends_only_the_photos_left(screen, live_server, make_user, make_report,
                                                    photo, tmp_path):
    from sigap.reports import services

    now = timezone.now()
    officer = make_user("officer", agency="DLHK")
    dispatcher = make_user("dispatcher", agency="DLHK")
    report = make_report(at=now - timedelta(hours=1))
    services.verify(report.pk, actor=dispatcher, now=now)
    services.assign(report.pk, actor=dispatcher, now=now, officer=officer)
    services.start(report.pk, actor=officer, now=now)
    client = Client()
    client.force_login(officer)
    context, page = screen(SMALL)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])

    page.goto(f"{live_server.url}/office/tugas/{report.ticket}/")
    page.set_input_files("#proof-input", two_photos(tmp_path, photo))
    page.wait_for_selector("#proof-list li:nth-child(2) img")
    page.fill("#resolve-note", "Sampah sudah diangkut")
    page.locator("#resolve-submit").scroll_into_view_if_needed()
    problems = uncovered_problems(page, "#proof-list li", "#resolve-submit")
    assert problems == [], problems
    shot(page, "thumbnails-360x640-proof-form")
    assert remove_first(page, "#proof-list") == (True, True)
    page.click("#resolve-submit")
    page.wait_for_url("**/office/tugas/")
    report.refresh_from_db()
    assert report.status == "resolved"
    assert report.photos.filter(kind="proof").count() == 1
