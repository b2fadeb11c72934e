"""Lighthouse's mobile throttling emulated in Chromium through the DevTools protocol (150 ms
round trip, 1.6 Mbit/s down, 750 kbit/s up, CPU slowed 4×), cold cache: the home page's first
contentful paint is under 1.8 s and step 1 of the report form is usable under 3 s.

The test server sends static files uncompressed (production's WhiteNoise sends them
compressed), so these figures are an upper bound. `make test` runs these tests alone, after
the parallel pass (the `timed` mark), but the machine may still be shared: each figure is the
best of RUNS cold loads, each in a fresh browser
context, as one would take the best of several Lighthouse runs; all runs are recorded.
docs/benchmarks.md keeps the latest run."""

import json
import os
from pathlib import Path

import pytest

from sigap.citizen.tests.browsing import PHONE, uncovered_problems

pytestmark = [pytest.mark.browser, pytest.mark.timed, pytest.mark.django_db(transaction=True)]

LIGHTHOUSE_MOBILE = {"offline": False, "latency": 150,
                     "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
RUNS = 3
FCP_BUDGET_MS = 1800
USABLE_BUDGET_MS = 3000


# SIGAP_PERF_BASELINE=1 measures the same pages unthrottled (the baseline of
# docs/benchmarks.md); the budgets hold a fortiori.
BASELINE = bool(os.environ.get("SIGAP_PERF_BASELINE"))


def throttled(screen):
    context, page = screen(PHONE)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})  # cold, every request
    if not BASELINE:
        cdp.send("Network.emulateNetworkConditions", LIGHTHOUSE_MOBILE)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    return page


def record(name, values):
    """Keep the runs for docs/benchmarks.md when SIGAP_PERF_OUT names a JSON file."""
    out = os.environ.get("SIGAP_PERF_OUT")
    if out:
        path = Path(out)
        data = json.loads(path.read_text()) if path.exists() else {}
        data[name + ("_unthrottled" if BASELINE else "")] = [round(v) for v in values]
        path.write_text(json.dumps(data, indent=1))


def test_the_home_page_paints_within_1_8_s_on_a_throttled_phone(screen, live_server,
                                                                make_report):
    for i in range(5):  # the home page lists the latest reports
        make_report(lat=-10.17 + i / 1000)
    runs = []
    for _run in range(RUNS):
        page = throttled(screen)
        page.goto(f"{live_server.url}/", wait_until="load")
        runs.append(page.evaluate("""() => new Promise((resolve) => {
            new PerformanceObserver((list) => {
              const e = list.getEntriesByName('first-contentful-paint');
              if (e.length) { resolve(e[0].startTime); }
            }).observe({type: 'paint', buffered: true});
        })"""))
        page.context.close()
    record("home_fcp_ms", runs)
    assert 0 < min(runs) < FCP_BUDGET_MS, f"first contentful paint (ms): {runs}"


def test_step_one_of_the_form_is_usable_within_3_s_on_a_throttled_phone(screen, live_server):
    runs = []
    for _run in range(RUNS):
        page = throttled(screen)
        page.goto(f"{live_server.url}/lapor/", wait_until="commit")
        # Usable: the script has run (the steps are on), search and tiles can be touched.
        page.wait_for_function("""() => document.querySelector('#report-form.js')
            && !document.getElementById('cat-search').hidden""", timeout=15_000)
        runs.append(page.evaluate("() => performance.now()"))
        assert uncovered_problems(page, "#cat-search", "label.tile", "#next") == []
        page.locator("label.tile", has_text="Sampah").click()
        page.wait_for_selector("section[data-step='2']:not([hidden])")
        page.context.close()
    record("form_step1_usable_ms", runs)
    assert min(runs) < USABLE_BUDGET_MS, f"step 1 usable after (ms): {runs}"
