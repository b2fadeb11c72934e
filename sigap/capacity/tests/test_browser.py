"""The Kapasitas page in headless Chromium: the administrator opens it, a run waits in the
worker with a progress bar, the page polls and reloads itself when the run is done, and the
charts and the printable summary show. Desk 1366×768 and phone 360×740; screenshots go to
docs/screenshots/capacity-*.png under `make screenshots`."""

import os
import tempfile
import threading
import time
from pathlib import Path

import pytest
from conftest import Client
from django.utils import timezone

from sigap.backoffice.tests import test_browser as office
from sigap.capacity import services, tasks
from sigap.capacity.models import CapacityRun
from sigap.cities import tenancy

SHOTS = (Path(os.environ["SIGAP_SCREENSHOTS_DIR"]) if os.environ.get("SIGAP_SCREENSHOTS_DIR")
         else Path(tempfile.gettempdir()) / "sigap-shots")
DESK = {"width": 1366, "height": 768}
PHONE = {"width": 360, "height": 740}
SMALL = """
[scenario]
name = "Kupang kecil (uji)"
year = 2026
reports = 3000
drain_days = 10
[shifts]
pagi = { start = "07:00", end = "15:00" }
sore = { start = "15:00", end = "23:00" }
[agencies.DLHK]
shifts = { pagi = 0.5, sore = 0.5 }
officers = 4
[agencies.PUPR]
shifts = { pagi = 1.0 }
officers = 3
[agencies.DISHUB]
officers = 3
"""

browser = office.browser  # the back office's Chromium fixture, shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name, full=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"capacity-{name}.png"), full_page=full)


def test_the_administrator_runs_a_scenario_and_reads_the_answers(
        browser, live_server, make_user, kupang, monkeypatch):
    admin = make_user("admin")
    client = Client()
    client.force_login(admin)
    pages = {}
    for name, viewport in (("desk", DESK), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="id-ID")
        context.set_default_timeout(20_000)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                              "url": live_server.url}])
        pages[name] = context.new_page()
    desk, phone = pages["desk"], pages["phone"]
    errors = []
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    desk.on("response", lambda r: errors.append(r.url) if r.status >= 400
            and not r.url.endswith("/favicon.ico") else None)

    desk.goto(live_server.url + "/kapasitas/")
    assert desk.locator("h1").inner_text().startswith("Kapasitas")
    assert desk.locator(".cap-form button[type=submit]").is_visible()
    shot(desk, "1-index")
    phone.goto(live_server.url + "/kapasitas/")
    assert phone.locator(".cap-form button[type=submit]").is_visible()
    shot(phone, "6-phone-index")

    run = CapacityRun.objects.create(city=kupang, name="Kupang kecil (uji)", scenario=SMALL,
                                     replications=2, created_by=admin,
                                     created_at=timezone.now())
    desk.goto(live_server.url + f"/kapasitas/{run.pk}/")
    assert desk.locator("#cap-progress-bar").is_visible()
    # On a quiet machine the small run ends between two polls of the page: hold it half-way
    # until the page has shown the bar moving (or 20 s have passed).
    shown, real_run = threading.Event(), services.run

    def held_run(*args, progress, **kwargs):
        def gate(fraction):
            progress(fraction)
            if fraction >= 0.5:
                shown.wait(20)
        return real_run(*args, progress=gate, **kwargs)

    monkeypatch.setattr(services, "run", held_run)
    # The worker runs every task as the system (sigap.cities.tenancy), as here.
    worker = threading.Thread(target=tenancy.as_system(tasks.run_capacity.call_local),
                              args=(run.pk,))
    worker.start()
    # the page polls the status and shows the bar moving, then reloads with the answers
    deadline, moved = time.monotonic() + 60, False
    while time.monotonic() < deadline and not desk.locator(".cap-kpis").count():
        if not moved and desk.evaluate(
                "(document.getElementById('cap-progress-bar') || {value: 0}).value") > 0.1:
            moved = True
            shot(desk, "2-progress")
            shown.set()
        time.sleep(0.2)
    worker.join()
    desk.wait_for_selector(".cap-kpis")
    assert moved, "the progress bar never moved"
    assert desk.locator("svg.chart").count() == 3
    assert "DLHK" in desk.locator(".cap-table").first.inner_text()
    shot(desk, "3-results")
    desk.click("text=Ringkasan untuk dicetak")
    desk.wait_for_selector("svg.chart")
    desk.emulate_media(media="print")
    shot(desk, "4-print", full=True)
    phone.goto(live_server.url + f"/kapasitas/{run.pk}/")
    phone.wait_for_selector(".cap-kpis")
    shot(phone, "5-phone-results")
    wide = phone.evaluate("""[...document.querySelectorAll('body *')].filter(
        e => e.getBoundingClientRect().right > 361 && !e.closest('.cap-scroll'))
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert not wide, f"wider than the phone: {wide}"
    assert not errors


def test_a_replay_shows_the_record_beside_the_simulation_and_what_made_reports_late(
        browser, live_server, make_user, kupang):
    from datetime import datetime, timedelta, timezone as tz

    from sigap.capacity import demand
    from sigap.demo import history

    recorded_at = datetime(2026, 3, 1, 3, 0, tzinfo=tz.utc)
    history.generate(kupang, reports=1500, citizens=40, year=2026, seed=2, now=recorded_at)
    until = demand.record_end(kupang, recorded_at)
    scenario = history.scenario_for(kupang)
    result = services.run(kupang, scenario, replications=1, seed=5,
                          source=services.Source(since=until - timedelta(days=365),
                                                 until=until))
    admin = make_user("admin")
    run = CapacityRun.objects.create(
        city=kupang, name=scenario.name, scenario=scenario.source, replay=True,
        status=CapacityRun.Status.DONE, progress=1.0, result=services.json_safe(result),
        created_by=admin, created_at=timezone.now(), finished_at=timezone.now())
    client = Client()
    client.force_login(admin)
    for name, viewport in (("desk", DESK), ("phone", PHONE)):
        context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="id-ID")
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                              "url": live_server.url}])
        page = context.new_page()
        page.goto(live_server.url + f"/kapasitas/{run.pk}/#kalibrasi")
        table = page.locator("#kalibrasi + p + .cap-scroll table")
        assert table.is_visible()
        rows = table.locator("tbody tr").all_inner_texts()
        assert any(r.startswith("PUPR") for r in rows) and rows[-1].startswith("Kota")
        assert page.locator("#penyebab").is_visible()
        shot(page, f"7-replay-{name}")
        if name == "phone":
            wide = page.evaluate("""[...document.querySelectorAll('body *')].filter(
                e => e.getBoundingClientRect().right > 361 && !e.closest('.cap-scroll'))
                .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
            assert not wide, f"wider than the phone: {wide}"
        context.close()
