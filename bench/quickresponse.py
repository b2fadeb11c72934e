"""Quick response as `make serve` runs it: from a citizen's submit to (a) the desk's open
inbox showing the report, (b) the on-duty desk's alert and (c) the on-duty officer's page
(an emergency report) handed to its channel.

    .venv/bin/python bench/quickresponse.py [--reports 30000] [--seconds 120] [--rate 1]
        [--database-url postgres://…/DB --redis-url redis://…/N] [--port 8765] [--keep]

The stack: `sigap setup`, `sigap demo-data --reports N` (the demo city's history: the
database is not empty), then gunicorn with sync workers (`--workers $(nproc)`, as the
Makefile's `serve`) and one `sigap run_huey`, on SIGAP_DEBUG=0, SQLite in a temporary var/
by default or the PostgreSQL database and Redis named (the database is dropped and created:
give a dedicated one). The demo-data filler that `make serve` starts beside the server is
not running: the history is written before the clock starts.

The load: one citizen report a second (open loop: report i is sent at t0 + i/rate whether or
not the earlier ones answered) through Open311: four in five to Dinas Lingkungan Hidup
(SAMPAH), which keeps a 24-hour desk shift for one dispatcher whose channel is e-mail, and
one in five a fire (KEBAKARAN, an emergency category the city pack pages) to DAMKAR, whose
team covering the place has one officer on a 24-hour rota shift with e-mail as channel
(Django's SMTP backend to a sink in this process: the message handed to its channel).

(a) A desk's browser as the inbox page runs it: a signed-in session polling /office/baru/
every 3 s (live.js's interval) with the cursor the last answer gave; a report counts as
shown at the first poll answer that holds its ticket. (b) The time the SMTP sink received
the desk's alert naming the ticket (SAMPAH reports), (c) the time it received the officer's
page naming the ticket (KEBAKARAN reports). All from the moment the POST was sent; p50 and
p95 printed, with the load average, as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import stop as stop_processes  # noqa: E402

BIN = ROOT / ".venv" / "bin"
POLL_EVERY = 3.0  # static/backoffice/live.js
PENFUI = (-10.1716, 123.6711)
TICKET = re.compile(r"[A-Z]{2,5}-\d{4}-\d{6}")

DESK = """
from datetime import time
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.utils import timezone
from sigap.accounts.models import User
from sigap.agencies.models import Agency
from sigap.duty.models import Shift
dlhk = Agency.objects.get(city__code="kupang", code="DLHK")
desk = User.objects.create_user("bench-desk", email="desk@bench.test", role="dispatcher",
                                agency=dlhk, notify_channel="email")
Shift.objects.create(agency=dlhk, user=desk, starts=time(0), ends=time(0),
                     created_at=timezone.now())
s = SessionStore()
s[SESSION_KEY] = str(desk.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = desk.get_session_auth_hash()
# The desk has passed its second factor (docs/decisions/0008), as django_otp.login records it.
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
s[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(
    user=desk, name="bench", confirmed=True).persistent_id
s.create()
from sigap.agencies import routing
from sigap.agencies.models import Team
from sigap.cities.locate import locate
from sigap.cities.models import City
damkar = Agency.objects.get(city__code="kupang", code="DAMKAR")
teams = list(Team.objects.filter(agency=damkar).prefetch_related("kecamatan"))
kecamatan = locate(City.objects.get(code="kupang"), -10.1716, 123.6711).kecamatan_id
team_id = routing.pick_team([routing.TeamOption(t.pk, frozenset(a.pk for a in t.kecamatan.all()))
                             for t in teams], kecamatan)
officer = User.objects.create_user("bench-officer", email="officer@bench.test", role="officer",
                                   agency=damkar, notify_channel="email")
Team.objects.get(pk=team_id).members.add(officer)
Shift.objects.create(agency=damkar, team_id=team_id, user=officer, starts=time(0),
                     ends=time(0), created_at=timezone.now())
print("SESSION", s.session_key)
"""


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Sink:
    """A minimal SMTP server: records when each message arrives, to whom, and the tickets it
    names."""

    def __init__(self):
        self.arrivals: dict[tuple[str, str], float] = {}  # (recipient, ticket) -> time
        self.loop = asyncio.new_event_loop()
        self.port = None

    def start(self) -> int:
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            server = self.loop.run_until_complete(
                asyncio.start_server(self.serve, "127.0.0.1", 0))
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait()
        return self.port

    async def serve(self, reader, writer):
        def say(line):
            writer.write((line + "\r\n").encode())

        say("220 sink")
        await writer.drain()
        data = False
        body = []
        recipients: list[str] = []
        while True:
            line = await reader.readline()
            if not line:
                break
            text = line.decode(errors="replace").rstrip("\r\n")
            if data:
                if text == ".":
                    data = False
                    at = time.time()
                    for ticket in set(TICKET.findall("\n".join(body))):
                        for rcpt in recipients:
                            self.arrivals.setdefault((rcpt, ticket), at)
                    body, recipients = [], []
                    say("250 ok")
                else:
                    body.append(text)
            elif text.upper().startswith(("EHLO", "HELO")):
                say("250 sink")
            elif text.upper().startswith("RCPT TO:"):
                recipients.append(text[8:].strip().strip("<>").lower())
                say("250 ok")
            elif text.upper() == "DATA":
                data = True
                say("354 go")
            elif text.upper() == "QUIT":
                say("221 bye")
                await writer.drain()
                break
            else:
                say("250 ok")
            await writer.drain()
        writer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=30_000)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="keep the temporary var/")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="sigap-bench-qr-"))
    sink = Sink()
    smtp_port = sink.start()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SIGAP_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))}
    env.update(SIGAP_DEBUG="0", SIGAP_VAR_DIR=str(tmp / "var"),
               SIGAP_SECRET_KEY_FILE=str(tmp / "var" / "secret_key"),
               SIGAP_SITE_URL=f"http://127.0.0.1:{args.port}", SIGAP_EMAIL_HOST="127.0.0.1",
               SIGAP_EMAIL_PORT=str(smtp_port), SIGAP_EMAIL_TLS="0", SIGAP_DEMO_DATA="0",
               SIGAP_THROTTLE_ANON="1000000/min", SIGAP_THROTTLE_USER="1000000/min",
               PYTHONUNBUFFERED="1")
    leg = "sqlite"
    if args.database_url:
        leg = "postgresql"
        parts = urlsplit(args.database_url)
        admin = urlunsplit(parts._replace(path="/postgres"))
        name = parts.path.lstrip("/")
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
                       check=True, capture_output=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True,
                       capture_output=True)
        env["DATABASE_URL"] = args.database_url
        if args.redis_url:
            env["REDIS_URL"] = args.redis_url

    def sigap(*cmd) -> str:
        return subprocess.run([str(BIN / "sigap"), *cmd], env=env, cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout

    started = time.monotonic()
    sigap("setup", "--demo-data-later")
    sigap("demo-data", "--reports", str(args.reports))
    seeded = time.monotonic() - started
    session = sigap("shell", "-c", DESK).split("SESSION")[-1].strip()
    api_key = sigap("apikey", "create", "Bench", "--rate", "1000000").split()[-1]

    log = open(tmp / "server.log", "ab")  # noqa: SIM115 - closed at the end
    procs = [
        subprocess.Popen([str(BIN / "sigap"), "run_huey"], env=env, cwd=ROOT, stdout=log,
                         stderr=log, start_new_session=True),
        subprocess.Popen([str(BIN / "gunicorn"), "sigap.wsgi:application", "--bind",
                          f"127.0.0.1:{args.port}", "--workers", str(os.cpu_count() or 2),
                          "--timeout", "60"], env=env, cwd=ROOT, stdout=log, stderr=log,
                         start_new_session=True),
    ]
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                if requests.get(base + "/open311/v2/services.json", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        sent: dict[str, float] = {}
        shown: dict[str, float] = {}
        failures: list[str] = []
        stop = threading.Event()
        lock = threading.Lock()

        fires: set[str] = set()

        def submit(i: int, at: float) -> None:
            delay = at - time.time()
            if delay > 0:
                time.sleep(delay)
            fire = i % 5 == 4
            data = ({"service_code": "KEBAKARAN", "attribute[korban]": "tidak_tahu",
                     "description": f"Kebakaran rumah, bench {i}"}
                    if fire else {"service_code": "SAMPAH", "attribute[volume]": "besar",
                                  "description": f"Sampah menumpuk, bench {i}"})
            try:
                response = requests.post(base + "/open311/v2/requests.json", data={
                    "api_key": api_key, "lat": PENFUI[0], "long": PENFUI[1], **data},
                    timeout=60)
                response.raise_for_status()
                ticket = response.json()[0]["service_request_id"]
                with lock:
                    sent[ticket] = at
                    if fire:
                        fires.add(ticket)
            except Exception as exc:  # noqa: BLE001 - counted and printed
                failures.append(str(exc)[:120])

        def poll() -> None:
            desk = requests.Session()
            desk.cookies.set("sessionid", session)
            cursor = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
            while not stop.is_set():
                try:
                    data = desk.get(base + "/office/baru/", params={"since": cursor},
                                    timeout=30).json()
                    at = time.time()
                    cursor = data["cursor"]
                    for ticket in TICKET.findall(data["rows"]):
                        shown.setdefault(ticket, at)
                except Exception as exc:  # noqa: BLE001 - counted and printed
                    failures.append("poll " + str(exc)[:100])
                stop.wait(POLL_EVERY)

        poller = threading.Thread(target=poll)
        poller.start()
        t0 = time.time() + 1
        count = int(args.seconds * args.rate)
        senders = [threading.Thread(target=submit, args=(i, t0 + i / args.rate))
                   for i in range(count)]
        for t in senders:
            t.start()
        for t in senders:
            t.join()
        time.sleep(20)  # the last reports' polls and alerts
        stop.set()
        poller.join()
        load = os.getloadavg()[0]
    finally:
        stop_processes(*procs, timeout=20)
        log.close()
    inbox = [shown[t] - at for t, at in sent.items() if t in shown and t not in fires]
    alert = [sink.arrivals["desk@bench.test", t] - at for t, at in sent.items()
             if ("desk@bench.test", t) in sink.arrivals]
    paged = [sink.arrivals["officer@bench.test", t] - at for t, at in sent.items()
             if t in fires and ("officer@bench.test", t) in sink.arrivals]
    print(json.dumps({
        "bench": "quickresponse", "leg": leg, "reports_in_db": args.reports,
        "seconds": args.seconds, "rate": args.rate, "submitted": len(sent),
        "failures": len(failures), "seed_seconds": round(seeded, 1),
        "inbox_seen": len(inbox), "inbox_p50": percentile(inbox, 50),
        "inbox_p95": percentile(inbox, 95),
        "alert_seen": len(alert), "alert_p50": percentile(alert, 50),
        "alert_p95": percentile(alert, 95), "fires": len(fires), "officer_paged": len(paged),
        "officer_p50": percentile(paged, 50), "officer_p95": percentile(paged, 95),
        "load1": round(load, 2),
        "cpus": os.cpu_count()}))
    if failures:
        print("first failures:", failures[:3], file=sys.stderr)
    if args.keep:
        print("kept:", tmp, file=sys.stderr)
    else:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
