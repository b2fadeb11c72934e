"""End to end in headless Chromium at a phone viewport (360×740): file a report, follow it,
send it while offline, and meet the "same problem nearby" prompt. Screenshots go to
docs/screenshots/citizen-*.png."""

import os
import tempfile
import shutil
from pathlib import Path

import pytest

# `make screenshots` refreshes docs/screenshots/; ordinary runs write to a temporary folder
# so that the test suite leaves the work tree clean.
SHOTS = (Path(os.environ["SIGAP_SCREENSHOTS_DIR"]) if os.environ.get("SIGAP_SCREENSHOTS_DIR")
         else Path(tempfile.gettempdir()) / "sigap-shots")
SHOTS.mkdir(parents=True, exist_ok=True)
PHONE = {"width": 360, "height": 740}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def _async_unsafe():
    """Let Django's ORM run beside Playwright's event loop, only while these tests run.

    Set for the module, not at import: a leftover variable fails `check --deploy` (async.E001)
    in whatever test the same worker runs next.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def browser(_async_unsafe):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (make chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture
def phone(browser, live_server, settings, kupang):
    settings.SIGAP_TILE_URL = ""  # no internet here: the map draws the city outline only
    contexts = []

    def open_page(**options):
        context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True,
                                      has_touch=True, locale="id-ID", **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: "Content Security Policy" in m.text and
                violations.append(m.text))
        return context, page

    violations: list[str] = []
    yield open_page
    for c in contexts:
        c.close()
    assert not violations, violations  # every page works under the strict CSP


def shot(page, name, full=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    if full:  # the fixed tab bar would otherwise sit in the middle of a long page
        page.evaluate("() => document.querySelectorAll('.tabs,.top,.step-nav').forEach("
                      "e => e.style.setProperty('position', 'static', 'important'))")
    page.screenshot(path=str(SHOTS / f"citizen-{name}.png"), full_page=full)


def pick_place_on_map(page):
    page.locator("#map").click()  # the map opens on the whole city; its centre is inside
    page.wait_for_selector("#place.ok")


def test_it_files_a_report_with_photo_and_pin_then_follows_it(phone, live_server, tmp_path,
                                                             photo, make_user):
    from django.utils import timezone

    from sigap.reports import services
    from sigap.reports.models import Report

    context, page = phone()
    loaded = []
    page.on("response", lambda response: loaded.append(response))
    page.goto(f"{live_server.url}/lapor/")
    shot(page, "1-category")
    page.fill("#cat-search", "kebakaran")
    page.locator("label.tile", has_text="Kebakaran").click()
    page.wait_for_selector("#emergency a[href='tel:113']")
    assert page.locator("#emergency a[href='tel:112']").is_visible()
    shot(page, "2-emergency")
    page.fill("#cat-search", "")
    page.locator("label.tile", has_text="Sampah").click()

    big = tmp_path / "sampah.jpg"
    big.write_bytes(photo(size=(2400, 1800)))
    page.set_input_files("#photo-gallery", str(big))
    page.wait_for_selector("#photo-list img")
    pick_place_on_map(page)
    assert "Kelurahan" in page.inner_text("#place")
    shot(page, "3-photo-place", full=True)
    # What the phone downloaded for the form so far (no tiles here), within the budget.
    weight = sum(len(r.body()) for r in loaded if r.url.startswith(live_server.url)
                 and r.status == 200)
    assert 150_000 < weight < 300 * 1024, weight

    page.click("#next")
    page.wait_for_selector("section[data-step='3']:not([hidden])")
    page.fill("#id_description", "Sampah menumpuk di pinggir jalan sejak minggu lalu.")
    page.locator("fieldset[data-category='SAMPAH'] label.choice").first.click()
    shot(page, "4-details")
    page.click("#submit")
    page.wait_for_url("**/terkirim?k=*")
    ticket = page.inner_text("#ticket").strip()
    shot(page, "5-sent", full=True)

    report = Report.objects.get()
    assert report.ticket == ticket
    assert report.answers == {"volume": "kecil"}
    stored = report.photos.get()
    assert max(stored.width, stored.height) == 1600  # resized in the browser before upload
    assert report.tracking_key in page.inner_text("#private-link")

    page.click("text=Buka halaman laporan")
    page.wait_for_selector("#timeline li")
    assert "Laporan diterima" in page.inner_text("#timeline")
    assert "Anda melihat laporan ini sebagai pelapor" in page.content()
    shot(page, "6-track", full=True)

    # The agency fixes it; the reporter (private link) is asked "Sudah beres?" and says yes.
    officer = make_user("officer", agency="DLHK")
    services.assign(report.pk, actor=make_user("dispatcher", agency="DLHK"),
                    now=timezone.now(), officer=officer)
    services.resolve(report.pk, actor=officer, now=timezone.now(), note="Sudah diangkut truk",
                     photos=[photo(color=(20, 160, 60))])
    page.reload()
    page.wait_for_selector("#beres")
    shot(page, "7-sudah-beres", full=True)
    page.locator("label[for=star5]").click()
    page.click("button[name=fixed][value=yes]")
    page.wait_for_selector("#status:has-text('Ditutup')")
    report.refresh_from_db()
    assert report.status == "closed" and report.rating == 5

    page.goto(f"{live_server.url}/di-perangkat/")
    page.wait_for_selector(f"#device-list a:has-text('{ticket}')")
    shot(page, "8-my-device")


def test_it_keeps_an_offline_report_and_sends_it_once_when_online(phone, live_server, photo,
                                                                  tmp_path):
    from sigap.reports.models import IdempotencyKey, Report

    context, page = phone()
    page.goto(f"{live_server.url}/lapor/?kategori=JALAN_RUSAK")
    page.wait_for_selector("section[data-step='2']:not([hidden])")
    image = tmp_path / "lubang.jpg"
    image.write_bytes(photo(size=(800, 600)))
    page.set_input_files("#photo-camera", str(image))
    page.wait_for_selector("#photo-list img")
    pick_place_on_map(page)
    page.click("#next")
    page.fill("#id_description", "Lubang besar di tengah jalan.")

    context.set_offline(True)
    page.click("#submit")
    page.wait_for_selector("#waiting:not([hidden])")
    assert "Menunggu sinyal" in page.inner_text("#waiting")
    page.wait_for_selector("#outbox-banner:not([hidden])")
    shot(page, "9-offline-waiting")
    assert Report.objects.count() == 0

    context.set_offline(False)
    page.wait_for_url("**/terkirim?k=*", timeout=15_000)
    assert Report.objects.count() == 1
    assert Report.objects.get().photos.count() == 1  # the photo waited as a blob on the phone
    # Another flush (a second tab, the timer) finds nothing left to send.
    page.evaluate("() => window.SigapOutbox.flush()")
    assert page.evaluate("() => window.SigapOutbox.list().then(l => l.length)") == 0
    assert Report.objects.count() == 1
    assert IdempotencyKey.objects.filter(scope__startswith="web:").count() == 1


def test_it_offers_to_support_the_same_problem_nearby(phone, live_server, make_report):
    from sigap.reports.models import Report

    existing = make_report("SAMPAH", lat=-10.1772, lng=123.6070,
                           description="Sampah di depan pasar")
    context, page = phone(geolocation={"latitude": -10.17725, "longitude": 123.60705},
                          permissions=["geolocation"])
    page.goto(f"{live_server.url}/lapor/?kategori=SAMPAH")
    page.click("#gps")
    page.wait_for_selector("#place.ok")
    page.click("#next")
    page.wait_for_selector("#nearby:not([hidden])")
    assert "Apakah ini masalah yang sama?" in page.inner_text("#nearby")
    assert existing.ticket in page.inner_text("#nearby-list")
    shot(page, "10-nearby")
    page.click("#nearby-list button.support")
    page.wait_for_selector("#nearby-list button.support:disabled")
    existing.refresh_from_db()
    assert existing.support_count == 1
    assert Report.objects.count() == 1

    page.goto(f"{live_server.url}/laporan/")
    page.wait_for_selector("#reports-map .leaflet-interactive")
    shot(page, "11-city-reports", full=True)
    page.goto(f"{live_server.url}/")
    shot(page, "0-home")
    page.goto(f"{live_server.url}/akun/masuk/")
    shot(page, "12-sign-in")
