"""End to end in headless Chromium, on a phone (360×740) and a desk (1366×768): the mayor's
office opens the dashboard of a small demo city, follows a number to its reports, downloads
each export and prints the monthly report; a citizen opens the transparency page without
signing in. Screenshots go to docs/screenshots/dashboard-*.png and transparency-*.png."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from sigap.citizen.tests import browsing

# One headless Chromium for every app's browser tests (sigap/citizen/tests/browsing.py).
SHOTS, _async_unsafe, browser = browsing.SHOTS, browsing._async_unsafe, browsing.browser
screen, signed_in = browsing.screen, browsing.signed_in
SHOTS.mkdir(parents=True, exist_ok=True)
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1366, "height": 768}}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city(kupang):
    """A small demo city: the product's own rules, a year up to today (sigap.demo)."""
    call_command("demo-data", reports=1500, citizens=150, seed=14, verbosity=0)
    return kupang


@pytest.fixture
def open_page(signed_in):
    def open_as(user, viewport):
        return signed_in(user, VIEWPORTS[viewport], accept_downloads=True, timeout=20_000)

    return open_as


def shot(page, name, full=False):
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def _ready(page):
    page.wait_for_selector("#dash-map[data-ready='1']")
    page.wait_for_selector("#trend-chart[data-ready='1']")


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_mayor_follows_a_number_to_its_reports(city, open_page, live_server, make_user,
                                                   viewport):
    page = open_page(make_user("executive"), viewport)
    page.goto(f"{live_server.url}/dasbor/")
    _ready(page)
    shot(page, f"dashboard-{viewport}")
    if viewport == "desktop":
        shot(page, "dashboard-desktop-full", full=True)
    card = page.locator("a.card.good")
    shown = int(re.sub(r"\D", "", card.locator(".sub").inner_text().split()[0]))
    assert shown > 0
    card.click()
    page.wait_for_selector("#drill-list")
    heading = page.locator("h1").inner_text()
    assert int(re.sub(r"\D", "", heading)) == shown
    assert page.locator("#filter-words").inner_text() == "Beres"
    shot(page, f"dashboard-drill-{viewport}")
    # The late count opens the late reports, and the list says that is what it shows.
    page.go_back()
    late = page.locator("[data-figure=sla-late]")
    late_shown = int(re.sub(r"\D", "", late.inner_text()))
    assert late_shown > 0
    late.click()
    page.wait_for_selector("#drill-list")
    assert int(re.sub(r"\D", "", page.locator("h1").inner_text())) == late_shown
    assert page.locator("#filter-words").inner_text().startswith("Diselesaikan terlambat")
    missed = page.locator("#drill-list td.missed").all_inner_texts()
    assert missed and all("penyelesaian" in m for m in missed)
    shot(page, f"dashboard-drill-late-{viewport}")
    # From the list to one report in the back office.
    page.locator("#drill-list tbody a").first.click()
    page.wait_for_url(re.compile(r".*/office/r/"))


def test_each_export_downloads(city, open_page, live_server, make_user):
    page = open_page(make_user("executive"), "desktop")
    page.goto(f"{live_server.url}/dasbor/")
    received = int(re.sub(r"\D", "", page.locator(
        "[data-figure=received] .big").inner_text()))
    files = {}
    for fmt in ("csv", "xlsx", "geojson"):
        with page.expect_download() as info:
            page.locator(f"[data-export={fmt}]").first.click()
        files[fmt] = Path(info.value.path()).read_bytes()
    rows = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert len(rows) == received
    assert "contact_phone" not in rows[0] and "pelapor" not in rows[0]
    assert len(json.loads(files["geojson"])["features"]) == received
    with zipfile.ZipFile(io.BytesIO(files["xlsx"])) as z:
        assert "xl/worksheets/sheet1.xml" in z.namelist()


def test_the_city_monthly_report_compares_with_earlier_months(city, open_page, live_server,
                                                              make_user):
    page = open_page(make_user("executive"), "desktop")
    page.goto(f"{live_server.url}/dasbor/")
    page.locator("[data-monthly=city]").click()
    page.wait_for_selector("#comparison")
    assert "semua dinas" in page.locator("h1").inner_text()
    received = page.locator("#comparison tr[data-row=received] td").all_inner_texts()
    assert len(received) == 5 and all(received), received
    shot(page, "dashboard-monthly-city", full=True)


def test_the_monthly_report_prints(city, open_page, live_server, make_user):
    page = open_page(make_user("head", agency="DLHK"), "desktop")
    page.goto(f"{live_server.url}/dasbor/")
    page.locator("a[href*='/dasbor/bulanan/DLHK/']").click()
    page.wait_for_selector(".report-sheet")
    page.emulate_media(media="print")
    assert page.locator(".dash-top").is_hidden()
    shot(page, "dashboard-monthly-print")
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF"


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_anyone_opens_the_transparency_page(city, open_page, live_server, viewport):
    page = open_page(None, viewport)
    page.goto(f"{live_server.url}/transparansi/")
    page.wait_for_selector("#dash-map[data-ready='1']")
    page.wait_for_selector("#trend-chart[data-ready='1']")
    shot(page, f"transparency-{viewport}")
    with page.expect_download() as info:
        page.locator("[data-export=open-csv]").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    header = text.splitlines()[0]
    assert "tiket" in header and "alamat" not in header and "nilai_warga" not in header
