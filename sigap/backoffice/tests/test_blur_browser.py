"""In headless Chromium: the desk's blur editor at 1366×768 and on a phone, and the citizen's
report page while the public copy is being made (issue 28, decision 0013). A dispatcher
draws a region with the pointer and saves; the worker redoes the public copy with it.
Screenshots: backoffice-blur-*.png, citizen-photo-pending-*.png."""

from pathlib import Path

import pytest

from sigap.citizen.tests.browsing import DESK, PHONES, shot, uncovered_problems
from sigap.reports import tasks
from sigap.reports.models import Photo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SET = Path(__file__).resolve().parents[3] / "data" / "blur-set"


@pytest.fixture
def astronaut(make_report):
    return make_report("SAMPAH", photos=[(SET / "sources/astronaut.jpg").read_bytes()])


@pytest.mark.parametrize("viewport", PHONES, ids=["360x640", "360x740"])
def test_the_public_sees_a_placeholder_until_the_copy_is_made(signed_in, live_server,
                                                                astronaut, viewport):
    # The worker has not made the copy yet (here it ran at once, as the tests' queue does).
    Photo.objects.filter(report=astronaut).update(blurred_at=None, public_image="",
                                                  public_thumbnail="")
    page = signed_in(None, viewport)
    page.goto(live_server.url + astronaut.tracking_url())  # the reporter's private link
    holder = page.get_by_text("Foto sedang diproses").first
    holder.wait_for()
    assert page.locator(f"img[src*='{Path(astronaut.photos.get().image.name).name}']") \
        .count() == 0  # never the original
    shot(page, f"citizen-photo-pending-{viewport['width']}x{viewport['height']}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [DESK, PHONES[1]], ids=["1366x768", "360x740"])
def test_the_desk_draws_a_region_and_the_worker_blurs_it(signed_in, live_server, astronaut,
                                                         make_user, viewport):
    photo = astronaut.photos.get()
    tasks.anonymise_photo.call_local(photo.pk)  # done already by the tests' queue, or now
    photo.refresh_from_db()
    assert photo.blurred_at is not None
    found = len(photo.blur_regions)
    page = signed_in(make_user("dispatcher", agency="DLHK"), viewport)
    page.goto(f"{live_server.url}/office/r/{astronaut.ticket}/foto/{photo.pk}/")
    stage = page.locator("#blur-stage")
    stage.wait_for()
    assert page.locator(".blur-box").count() == found
    box = stage.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.9, steps=5)
    page.mouse.up()
    assert page.locator("input[name=add]").count() == 1
    name = "1366x768" if viewport == DESK else "360x740"
    shot(page, f"backoffice-blur-{name}")
    save = page.locator("#blur-form button[type=submit]")
    save.scroll_into_view_if_needed()
    assert uncovered_problems(page, "#blur-form button[type=submit]") == []
    save.click()
    page.wait_for_load_state()
    photo = Photo.objects.get(pk=photo.pk)
    assert len(photo.blur_regions) == found + 1
    assert [r["source"] for r in photo.blur_regions].count("hand") == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
