"""A Jayapura report's page on a phone shows WIT times (issue 26). Screenshots go to
docs/screenshots/citizen-jayapura-report-{640,740}.png."""

from datetime import UTC, datetime

import pytest

from sigap.citizen.tests.browsing import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("height", [640, 740])
def test_a_jayapura_report_page_shows_wit(screen, live_server, height):
    from sigap.agencies.models import Category
    from sigap.cities.citypack import load_pack
    from sigap.cities.models import City
    from sigap.reports import services

    if not City.objects.filter(code="jayapura").exists():
        load_pack("jayapura")
    jayapura = City.objects.get(code="jayapura")
    category = Category.objects.select_related("agency").get(city=jayapura, code="SAMPAH")
    report = services.create_report(jayapura, services.NewReport(
        category=category, lat=-2.533, lng=140.717, answers={"volume": "sedang"},
        description="Sampah menumpuk di dermaga pelabuhan"),
        now=datetime(2026, 3, 3, 0, 0, tzinfo=UTC)).report
    _context, page = screen({"width": 360, "height": height})
    page.goto(f"{live_server.url}{report.tracking_url()}")
    meta = page.locator("p.meta").first.inner_text()
    assert "3 Mar 2026 09:00 WIT" in meta and "Kelurahan" in meta
    assert page.locator("time").first.inner_text().endswith("09:00")
    shot(page, f"citizen-jayapura-report-{height}")
