"""End to end in headless Chromium at a phone viewport (360×740): file a report, follow it,
send it while offline, and meet the "same problem nearby" prompt. Screenshots go to
docs/screenshots/citizen-*.png."""

import pytest

from sigap.citizen.tests.browsing import PHONE, shot as _shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(screen):
    def open_page(**options):
        return screen(PHONE, **options)
    return open_page


def shot(page, name, full=False):
    _shot(page, f"citizen-{name}", full)


def pick_place_on_map(page):
    page.wait_for_selector("section[data-step='3']:not([hidden])")
    page.locator("#map").click()  # the map opens on the whole city; its centre is inside
    page.wait_for_selector("#place.ok")


def next_step(page, n):
    page.click("#next")
    page.wait_for_selector(f"section[data-step='{n}']:not([hidden])")


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
    shot(page, "3-photo")
    next_step(page, 3)
    pick_place_on_map(page)
    assert "Kelurahan" in page.inner_text("#place")
    shot(page, "3-place")
    # What the phone downloaded for the form so far (no tiles here), within the budget.
    weight = sum(len(r.body()) for r in loaded if r.url.startswith(live_server.url)
                 and r.status == 200)
    assert 150_000 < weight < 300 * 1024, weight

    next_step(page, 4)
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
    next_step(page, 3)
    pick_place_on_map(page)
    next_step(page, 4)
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
    next_step(page, 3)
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
