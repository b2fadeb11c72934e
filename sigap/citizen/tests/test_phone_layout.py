"""The report form on a small phone (360×640 and 360×740): each step's main action, the map
and the kelurahan confirmation are on screen and not covered, no error shows before the
citizen has done anything, and the tab bar's five labels fit. Also: the place taken from a
photo's EXIF, and camera first from the home page. Screenshots: docs/screenshots/phone-*.png."""

import io

import pytest
from PIL import Image

from sigap.citizen.tests.browsing import PHONES, shot, uncovered_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def size_name(viewport):
    return f"{viewport['width']}x{viewport['height']}"


def gps_jpeg(lat: float, lng: float, size=(1200, 900)) -> bytes:
    """Return a JPEG whose EXIF says it was taken at (lat, lng)."""
    from fractions import Fraction

    def dms(value):
        value = abs(value)
        d = int(value)
        m = int((value - d) * 60)
        s = Fraction(round(((value - d) * 60 - m) * 60 * 100), 100)
        return (Fraction(d), Fraction(m), s)

    image = Image.new("RGB", size, (90, 120, 60))
    exif = Image.Exif()
    exif[0x8825] = {1: "S" if lat < 0 else "N", 2: dms(lat),
                    3: "W" if lng < 0 else "E", 4: dms(lng)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def assert_seen(page, *selectors):
    problems = uncovered_problems(page, *selectors)
    assert problems == [], problems


def no_error_shown(page):
    return page.evaluate("""() => [...document.querySelectorAll(
        '#nav-error, #form-errors, .field-error, #place.bad')].filter(
        e => !e.hidden && e.offsetParent !== null && e.textContent.trim())
        .map(e => e.textContent)""")


@pytest.mark.parametrize("viewport", PHONES, ids=size_name)
def test_every_step_shows_its_main_action_uncovered(screen, live_server, viewport, photo,
                                                   tmp_path):
    context, page = screen(viewport)
    page.goto(f"{live_server.url}/lapor/")
    name = size_name(viewport)
    # Step 1: the emergency numbers and the search come first, the bar's "Lanjut" below.
    assert no_error_shown(page) == []
    assert_seen(page, "#sos", "#cat-search", "label.tile.emergency", "#next")
    shot(page, f"phone-{name}-1-category")
    page.locator("label.tile", has_text="Sampah").click()

    # Step 2: the photo.
    page.wait_for_selector("section[data-step='2']:not([hidden])")
    assert no_error_shown(page) == []
    assert_seen(page, "#camera-button", "#next", "#back")
    image = tmp_path / "foto.jpg"
    image.write_bytes(photo(size=(800, 600)))
    page.set_input_files("#photo-gallery", str(image))
    page.wait_for_selector("#photo-list img")
    assert_seen(page, "#photo-list li", "#next")
    shot(page, f"phone-{name}-2-photo")

    # Step 3: the whole map, the place found and "Lanjut", none of them under a bar.
    page.click("#next")
    page.wait_for_selector("section[data-step='3']:not([hidden])")
    assert no_error_shown(page) == []
    page.locator("#map").click()
    page.wait_for_selector("#place.ok")
    assert "Kelurahan" in page.inner_text("#place")
    assert_seen(page, "#map", "#place", "#gps", ".leaflet-control-zoom", "#next", "#back")
    shot(page, f"phone-{name}-3-place")

    # Step 4: "Kirim laporan" is on screen from the start, at the end of a long step too.
    page.click("#next")
    page.wait_for_selector("section[data-step='4']:not([hidden])")
    assert no_error_shown(page) == []
    assert_seen(page, "#id_description", "#submit", "#back")
    page.locator("#confidential").scroll_into_view_if_needed()
    assert_seen(page, "#submit")
    shot(page, f"phone-{name}-4-details")


@pytest.mark.parametrize("viewport", PHONES, ids=size_name)
def test_a_wrong_step_says_why_next_to_its_button_and_clears_once_fixed(screen, live_server,
                                                                     viewport):
    context, page = screen(viewport)
    page.goto(f"{live_server.url}/lapor/?kategori=SAMPAH")
    page.click("#next")  # no photo needed
    page.wait_for_selector("section[data-step='3']:not([hidden])")
    assert no_error_shown(page) == []
    page.click("#next")  # no place yet
    page.wait_for_selector("#nav-error:not([hidden])")
    assert "Tentukan lokasi" in page.inner_text("#nav-error")
    assert_seen(page, "#nav-error", "#next", "#map")
    page.locator("#map").click()
    page.wait_for_selector("#place.ok")
    assert page.locator("#nav-error").is_hidden()
    assert no_error_shown(page) == []


@pytest.mark.parametrize("viewport", PHONES, ids=size_name)
def test_the_tab_bar_fits_its_five_labels(screen, live_server, viewport):
    context, page = screen(viewport)
    page.goto(f"{live_server.url}/")
    boxes = page.evaluate("""() => [...document.querySelectorAll('.tabs a span')].map(s => {
        const r = s.getBoundingClientRect(), a = s.parentNode.getBoundingClientRect();
        return {text: s.textContent, left: r.left, right: r.right, aLeft: a.left, aRight: a.right,
                fits: s.scrollWidth <= s.parentNode.clientWidth};
    })""")
    assert [b["text"] for b in boxes] == ["Beranda", "Lapor", "Laporan kota", "Laporan saya",
                                          "Masuk"]
    for box in boxes:
        assert box["fits"] and box["aLeft"] <= box["left"] and box["right"] <= box["aRight"], box
    for a, b in zip(boxes, boxes[1:], strict=False):
        assert a["right"] < b["left"], (a, b)
    assert_seen(page, "#sos", "#camera-first", ".tabs a[href='/lapor/']")
    shot(page, f"phone-{size_name(viewport)}-0-home")


def test_it_puts_the_pin_where_the_photo_was_taken_and_lets_the_citizen_move_it(
        screen, live_server, tmp_path):
    from sigap.reports.models import Report

    context, page = screen()
    page.goto(f"{live_server.url}/lapor/?kategori=SAMPAH")
    image = tmp_path / "exif.jpg"
    image.write_bytes(gps_jpeg(-10.1772, 123.6070))
    page.set_input_files("#photo-gallery", str(image))
    page.wait_for_selector("#photo-place:not([hidden])")
    page.click("#next")
    page.wait_for_selector("#place.ok")
    lat, lng = float(page.input_value("#id_lat")), float(page.input_value("#id_lng"))
    assert abs(lat - -10.1772) < 1e-4 and abs(lng - 123.6070) < 1e-4
    assert page.locator(".leaflet-marker-icon").count() == 1
    # The citizen moves it: a tap elsewhere on the map wins over the photo's place.
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2 + 20)
    page.wait_for_function(f"() => document.getElementById('id_lat').value !== '{lat:.6f}'")
    page.wait_for_selector("#place.ok")
    moved = float(page.input_value("#id_lat")), float(page.input_value("#id_lng"))
    page.click("#next")
    page.wait_for_selector("section[data-step='4']:not([hidden])")
    page.locator("fieldset[data-category='SAMPAH'] label.choice").first.click()
    page.click("#submit")
    page.wait_for_url("**/terkirim?k=*")
    report = Report.objects.get()
    assert (round(report.lat, 6), round(report.lng, 6)) == moved
    stored = report.photos.get()
    with Image.open(stored.image.path) as img:
        assert 0x8825 not in img.getexif()  # the EXIF (and its place) is not kept


def test_camera_first_from_the_home_page_then_the_category(screen, live_server, tmp_path):
    from sigap.reports.models import Report

    context, page = screen()
    page.goto(f"{live_server.url}/")
    image = tmp_path / "exif.jpg"
    image.write_bytes(gps_jpeg(-10.1772, 123.6070))
    with page.expect_file_chooser() as chooser:
        page.click("#camera-first")
    chooser.value.set_files(str(image))
    page.wait_for_url("**/lapor/?mulai=foto")
    # The photo came along; now the category, found by search.
    page.wait_for_selector("section[data-step='1']:not([hidden])")
    assert page.locator("#photo-list img").count() == 1
    assert [t.strip() for t in page.locator(".steps li").all_inner_texts()] == [
        "Foto", "Masalah", "Lokasi", "Kirim"]
    page.fill("#cat-search", "sampah")
    assert page.locator("label.tile:visible").count() == 1
    page.locator("label.tile", has_text="Sampah").click()
    page.wait_for_selector("#place.ok")  # the photo's place
    page.click("#next")
    page.wait_for_selector("section[data-step='4']:not([hidden])")
    page.locator("fieldset[data-category='SAMPAH'] label.choice").first.click()
    page.click("#submit")
    page.wait_for_url("**/terkirim?k=*")
    report = Report.objects.get()
    assert report.category.code == "SAMPAH" and report.photos.count() == 1
    assert abs(report.lat - -10.1772) < 1e-4
