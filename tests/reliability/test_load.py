"""Load, crash and flood: a real server attacked as on a bad day (slow; run by .ci/run).

Figures go to stdout and, when SIGAP_RELIABILITY_OUT names a file, as JSON lines there
(docs/reliability.md is written from them). SIGAP_LOAD_SECONDS (default 60) and
SIGAP_LOAD_CLIENTS (default 50) bound the runs.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
import requests

from tests.reliability.harness import Client, Server, Tally, run_clients, stored, write_figures

pytestmark = [pytest.mark.slow, pytest.mark.timed]
SECONDS = float(os.environ.get("SIGAP_LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("SIGAP_LOAD_CLIENTS", "50"))
LEG = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"


def report(name: str, **figures) -> None:
    line = {"test": name, "leg": LEG, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load": os.getloadavg()[0], **figures}
    write_figures(line)


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path)
    srv.start()
    yield srv
    srv.stop()


def check_stored_once(server, tally) -> dict:
    rows = stored(server)
    tickets = list(tally.acked.values())
    missing = [t for t in tickets if t not in rows]
    without_photo = [t for t in tickets if rows.get(t, 0) != 1]
    # Every stored report was acknowledged to someone (none stored twice under two tickets).
    assert not missing, missing[:5]
    assert not without_photo, without_photo[:5]
    assert len(set(tickets)) == len(tickets) == len(rows), (len(set(tickets)), len(rows))
    assert tally.duplicates == 0
    return {"acknowledged": len(tickets), "found": len(rows), "duplicates": tally.duplicates,
            "replays": tally.replays}


def test_load_50_clients_through_open311_rest_and_the_web_form(server):
    tally = Tally()
    started = time.monotonic()
    run_clients(server, CLIENTS, SECONDS, tally)
    elapsed = time.monotonic() - started
    figures = check_stored_once(server, tally)
    assert tally.server_errors == 0, tally.statuses
    assert not tally.errors, tally.errors[:3]
    log = (server.tmp / "server.log").read_text(errors="replace")
    assert "database is locked" not in log
    report("load", clients=CLIENTS, seconds=round(elapsed, 1), requests=tally.requests,
           errors=tally.server_errors, p99_s=round(tally.p99(), 3),
           per_second=round(tally.requests / elapsed, 1), **figures)


def test_crash_sigkill_mid_load_loses_nothing_and_redoes_nothing(server):
    tally = Tally()
    recovery = {}

    def crash():
        time.sleep(SECONDS / 3)
        server.kill()
        killed_at = time.monotonic()
        server.start()
        recovery["seconds"] = round(time.monotonic() - killed_at, 2)

    run_clients(server, CLIENTS, SECONDS, tally, during=crash)
    figures = check_stored_once(server, tally)
    # Unfinished jobs: the safety nets (also periodic in the worker) finish them, once. The
    # thumbnail sweep leaves photos younger than its grace period to their own jobs, so it is
    # run as the worker's next sweep would see it, once that period has passed.
    server.sigap("shell", "-c", "from django.utils import timezone; "
                 "from sigap.reports import tasks; "
                 "tasks.drain_outbox.call_local(); "
                 "now = timezone.now() + tasks.SWEEP_GRACE\n"
                     "while tasks.make_missing_thumbnails(now=now): pass")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.query("SELECT COUNT(*) FROM reports_outbox")[0][0]:
        time.sleep(1)
    assert server.query("SELECT COUNT(*) FROM reports_outbox")[0][0] == 0
    assert server.query("SELECT COUNT(*) FROM reports_photo WHERE thumbnail = ''")[0][0] == 0
    thumbs = [p for p in (server.tmp / "var" / "media" / "thumbs").rglob("*.jpg")]
    photos = server.query("SELECT COUNT(*) FROM reports_photo")[0][0]
    assert len(thumbs) == photos  # each thumbnail made once: no second file for one photo
    report("crash", clients=CLIENTS, requests=tally.requests, errors=tally.server_errors,
           recovery_s=recovery["seconds"], thumbnails=len(thumbs), **figures)


def test_flood_day_throttles_the_flooder_and_serves_the_others(tmp_path):
    """One client sends ten times the allowed rate; the others stay under one second p99."""
    srv = Server(tmp_path, limits={"SIGAP_THROTTLE_ANON": "60/min"})
    srv.start()
    try:
        flood, calm = Tally(), Tally()
        until = time.monotonic() + min(SECONDS, 30)
        flooder = Client(srv, "rest", flood)
        others = [Client(srv, "open311", calm) for _ in range(8)]

        def hammer():
            while time.monotonic() < until:
                flooder.send(os.urandom(8).hex(), until=until)
                time.sleep(0.1)  # 600/min: ten times the 60/min the address may send

        threads = [threading.Thread(target=hammer)] + [
            threading.Thread(target=c.run, args=(until,), kwargs={"pause": 1.0})
            for c in others]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert flood.statuses.get(429, 0) > 0 and flood.retry_after_missing == 0
        assert calm.server_errors == 0 and calm.statuses.get(429, 0) == 0, calm.statuses
        assert calm.p99() < 1.0, calm.p99()
        public = requests.get(srv.url + "/open311/v2/requests.json", timeout=10)
        assert public.status_code == 200
        # The real server names no version of itself (gunicorn sends "gunicorn" only).
        assert not any(ch.isdigit() for ch in public.headers.get("Server", ""))
        assert "script-src 'self'" in requests.get(srv.url + "/", timeout=10).headers[
            "Content-Security-Policy"]
        report("flood", flooder_requests=flood.requests, flooder_429=flood.statuses.get(429, 0),
               others_requests=calm.requests, others_p99_s=round(calm.p99(), 3),
               errors=flood.server_errors + calm.server_errors)
    finally:
        srv.stop()
