"""In headless Chromium at a desk (1366×768): a provincial office reads the roll-up of the
cities it oversees (issue 26). Two small demo years (Kota Kupang, Kabupaten Kupang) side by
side, and Jayapura's, which the province does not oversee, absent. Screenshot:
docs/screenshots/dashboard-province-1366x768.png."""

import pytest
from django.core.management import call_command

from sigap.citizen.tests import browsing

SHOTS, _async_unsafe, browser = browsing.SHOTS, browsing._async_unsafe, browsing.browser
screen, signed_in = browsing.screen, browsing.signed_in
SHOTS.mkdir(parents=True, exist_ok=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_province_compares_its_cities(signed_in, live_server, make_user, kupang,
                                          kabupaten_kupang, jayapura):
    call_command("demo-data", reports=900, citizens=90, seed=21, verbosity=0)
    call_command("demo-data", reports=400, citizens=40, seed=22, city="kabupaten-kupang",
                 verbosity=0)
    ntt = make_user("province", username="provinsi-53", display_name="Provinsi NTT")
    ntt.oversees.add(kupang, kabupaten_kupang)
    page = signed_in(ntt, browsing.DESK)
    page.goto(f"{live_server.url}/dasbor/provinsi/")
    table = page.locator("#province")
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    assert page.locator("tr[data-city=jayapura]").count() == 0
    received = [int(r.locator("td").first.inner_text().replace(".", "").replace(",", ""))
                for r in rows.all()]
    total = int(page.locator("tr[data-city=total] td").first.inner_text()
                .replace(".", "").replace(",", ""))
    assert total == sum(received) and all(received)
    browsing.shot(page, "dashboard-province-1366x768")
    assert not browsing.uncovered_problems(page, "#province")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
