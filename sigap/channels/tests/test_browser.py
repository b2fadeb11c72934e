"""The conversation as the fake Cloud API renders it, in headless Chromium at a phone's size.
Screenshots go to docs/screenshots/channels-*.png with `make screenshots`."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import jpeg_bytes
from sigap.reports import services
from sigap.reports.models import Report

SHOTS = (Path(os.environ["SIGAP_SCREENSHOTS_DIR"]) if os.environ.get("SIGAP_SCREENSHOTS_DIR")
         else Path(tempfile.gettempdir()) / "sigap-shots")
SHOTS.mkdir(parents=True, exist_ok=True)
PHONE = "6281234500001"

pytestmark = pytest.mark.browser


def screenshot(url: str, shots: list[tuple[str, str]]) -> dict:
    """Open `url` at a phone's size and take the shots (name, how); return what was seen.

    Playwright starts only after the conversation: while its event loop runs, Django would
    open another database connection than the test's (which holds SQLite's write lock).
    """
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make chromium)")
    from playwright.sync_api import sync_playwright

    seen = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.goto(url)
        seen["in"] = page.locator(".b.in").count()
        seen["texts"] = page.locator("main").inner_text()
        for name, how in shots:
            if how == "full":
                page.screenshot(path=str(SHOTS / name), full_page=True)
            else:
                page.locator(".b.out").last.scroll_into_view_if_needed()
                seen["last_visible"] = page.get_by_text("Sudah beres", exact=True).last.is_visible()
                page.screenshot(path=str(SHOTS / name))
        browser.close()
    return seen


def test_a_whatsapp_conversation_as_the_citizen_sees_it(
        fake_wa, make_user, photo, django_capture_on_commit_callbacks):
    fake_wa.text(PHONE, "Halo, mau lapor sampah")
    fake_wa.image(PHONE, jpeg_bytes(size=(320, 240), color=(90, 140, 60)))
    fake_wa.tap(PHONE, "skip")
    fake_wa.location(PHONE, -10.17, 123.60, name="Pasar Oebobo")
    fake_wa.text(PHONE, "Sampah menumpuk di got depan pasar")
    fake_wa.tap(PHONE, "ans:sedang")
    fake_wa.tap(PHONE, "anon:yes")
    fake_wa.tap(PHONE, "ok:send")
    report = Report.objects.get()
    dispatcher = make_user("dispatcher", agency="DLHK")
    officer = make_user("officer", agency="DLHK")
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.verify(report.pk, actor=dispatcher, now=now)
        services.assign(report.pk, actor=dispatcher, now=now, officer=officer)
        services.start(report.pk, actor=officer, now=now)
        services.resolve(report.pk, actor=officer, now=now, note="Sudah diangkut",
                         photos=[photo()])

    seen = screenshot(f"{fake_wa.url}/transcript/{PHONE}", [
        ("channels-1-conversation.png", "full"), ("channels-2-status-back.png", "end")])
    assert seen["in"] == 8
    assert report.ticket in seen["texts"] and "Pemadam kebakaran: 113" in seen["texts"]
    assert seen["last_visible"] and seen["texts"].count("Sudah beres?") == 1
