"""Issue 23: the worker is SIGKILLed while it pages a burst of fire reports; once it is back,
every report has been paged once to the team on duty, its desk alerted once, and nothing is
paged twice (a real gunicorn + Huey worker, as `make serve` runs them; slow).

Why it holds: the outbox row commits with the report; the callout is unique per triggering
event; each paging step is claimed with a conditional UPDATE in the transaction that writes
its event and that event's outbox row; notifications are unique per (event, recipient) and
claimed before they are sent. The minute jobs (outbox drain, re-page) pick up whatever the
killed worker had not done.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

import pytest
import requests

from tests.reliability.harness import PENFUI, Server

pytestmark = [pytest.mark.slow]
REPORTS = 30

SETUP = """
from datetime import time
from django.utils import timezone
from sigap.accounts.models import User
from sigap.agencies.models import Agency, Team
from sigap.duty.models import Shift
damkar = Agency.objects.get(city__code="kupang", code="DAMKAR")
team = Team.objects.create(agency=damkar, code="kota-crash", name="Tim Kota")
for n in range(2):
    u = User.objects.create_user(f"damkar{n}", email=f"d{n}@damkar.test", role="officer",
                                 agency=damkar)
    team.members.add(u)
    Shift.objects.create(agency=damkar, team=team, user=u, starts=time(0), ends=time(0),
                         created_at=timezone.now())
desk = User.objects.create_user("desk", email="desk@damkar.test", role="dispatcher",
                                agency=damkar)
Shift.objects.create(agency=damkar, user=desk, starts=time(0), ends=time(0),
                     created_at=timezone.now())
"""


def post_fires(server: Server, tickets: list[str]) -> None:
    for n in range(REPORTS):
        response = requests.post(server.url + "/open311/v2/requests.json", data={
            "api_key": server.api_key, "service_code": "KEBAKARAN", "lat": PENFUI["lat"],
            "long": PENFUI["lng"], "description": f"Kebakaran rumah {n}",
            "attribute[korban]": "tidak"}, timeout=60)
        response.raise_for_status()
        tickets.append(response.json()[0]["service_request_id"])


def first_pages(server: Server) -> int:
    rows = server.query("SELECT data FROM reports_reportevent WHERE kind = 'page'")
    return sum(1 for (data,) in rows if _json(data).get("round") == 0)


def _json(value):
    return value if isinstance(value, dict) else json.loads(value)


def test_a_killed_worker_pages_nothing_twice_and_loses_nothing(tmp_path):
    server = Server(tmp_path)
    try:
        server.sigap("shell", "-c", SETUP)
        server.start()
        tickets: list[str] = []
        sender = threading.Thread(target=post_fires, args=(server, tickets))
        sender.start()
        # Mid-burst: once the worker has paged a few, it is draining, paging and sending.
        waited = time.monotonic() + 60
        while first_pages(server) < 3 and time.monotonic() < waited:
            time.sleep(0.05)
        server.kill_worker()
        at_kill, posted_at_kill = first_pages(server), len(tickets)
        sender.join()
        time.sleep(1)
        server.start_worker()
        deadline = time.monotonic() + 150  # the minute jobs take over what was cut short
        while first_pages(server) < REPORTS and time.monotonic() < deadline:
            time.sleep(2)
        time.sleep(3)

        assert len(tickets) == REPORTS
        assert 3 <= at_kill < REPORTS  # killed while paging the burst
        callouts = server.query("SELECT report_id, COUNT(*) FROM duty_callout GROUP BY report_id")
        assert len(callouts) == REPORTS and all(n == 1 for _, n in callouts)
        pages = server.query("SELECT id, data FROM reports_reportevent WHERE kind = 'page'")
        steps = Counter((_json(d)["callout"], _json(d)["round"]) for _, d in pages)
        assert all(n == 1 for n in steps.values()), steps.most_common(3)  # never twice
        assert sum(1 for (_, r) in steps if r == 0) == REPORTS  # none lost
        page_notes = Counter(e for (e,) in server.query(
            "SELECT event_id FROM notifications_notification WHERE purpose = 'page'"))
        assert all(page_notes[pk] == 2 for pk, _ in pages)  # both officers on duty, once
        alerts = server.query(
            "SELECT report_id, COUNT(*) FROM notifications_notification "
            "WHERE purpose = 'alert' GROUP BY report_id")
        assert len(alerts) == REPORTS and all(n == 1 for _, n in alerts)
        pending = server.query("SELECT COUNT(*) FROM reports_outbox")[0][0]
        assert pending == 0
        print(json.dumps({"test": "paging_crash", "reports": REPORTS, "paged_at_kill": at_kill,
                          "posted_at_kill": posted_at_kill, "page_events": len(pages),
                          "page_messages": sum(page_notes.values())}))
    finally:
        server.stop()
