"""No citizen page scrolls sideways on a 360-pixel phone: every page a citizen can reach,
signed in or not, with long real content (scrollWidth ≤ innerWidth)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sigap.citizen.tests import browsing

SHOTS, _async_unsafe, browser = browsing.SHOTS, browsing._async_unsafe, browsing.browser
screen, signed_in = browsing.screen, browsing.signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = """() => [...document.querySelectorAll('body *')].filter(e => {
  const r = e.getBoundingClientRect();
  if (r.right <= window.innerWidth + 0.5) return false;
  for (let p = e.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX;
    if (o === 'auto' || o === 'scroll' || o === 'hidden') return false;
  }
  return true;
}).slice(0, 5).map(e => e.tagName + '.' + e.className + ' → ' + Math.round(
  e.getBoundingClientRect().right))"""


@pytest.mark.parametrize("signed", [False, True], ids=["visitor", "citizen"])
def test_no_citizen_page_scrolls_sideways_at_360(signed_in, live_server, make_user,
                                                  make_report, kupang, signed):
    from sigap.cities.models import Area

    now = timezone.now()
    citizen = make_user(display_name="Maria Goreti Ndolu-Manafe")
    report = make_report(at=now - timedelta(hours=3), reporter=citizen,
                         address="Jl. Frans Seda No. 12, belakang Kantor Kelurahan Fatululi",
                         description="Tumpukan sampah " * 60)
    kecamatan = Area.objects.filter(city=kupang, level=Area.Level.KECAMATAN).first()
    pages = [
        reverse("citizen:home"), reverse("citizen:report"),
        reverse("citizen:reports") + f"?kategori=SAMPAH&status=open&kecamatan={kecamatan.pk}",
        reverse("citizen:track", args=[report.ticket]), reverse("citizen:device"),
        "/r/KPG-2026-999999", reverse("citizen:offline"), reverse("transparency:home"),
        reverse("follows:follow") + f"?kelurahan={report.kelurahan_id}",
        reverse("follows:follow") + f"?lat={report.lat}&lng={report.lng}&r=3000",
    ]
    pages += ([reverse("citizen:mine"), reverse("accounts:profile"), reverse("follows:mine")]
              if signed
              else [reverse("accounts:signin")])
    wide = {}
    for viewport in browsing.PHONES:
        page = signed_in(citizen if signed else None, viewport)
        for url in pages:
            page.goto(live_server.url + url)
            page.wait_for_load_state("load")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                wide[f"{url} @{viewport['height']}"] = (width, page.evaluate(WIDE))
        page.goto(live_server.url + pages[2])
        page.locator("details").first.evaluate("d => d.open = true")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        box = page.locator("#id_sampai").bounding_box()
        assert box["x"] + box["width"] <= viewport["width"]  # "Sampai tanggal" not cut off
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"citizen-reports-filters-{viewport['height']}.png"))
    assert wide == {}
