"""Load as `make serve` runs it: gunicorn and the Huey worker on the same cores, open loop.

    .venv/bin/python bench/load.py [--db sqlite|postgres] [--size 1000] [--scenario a,b,c]
                                   [--quick] [--tree PATH] [--template DIR]

The product as the Makefile's `serve` target starts it: `gunicorn sigap.wsgi:application
--workers $(nproc) --timeout 60 --access-logfile …` on sigap.settings with SIGAP_DEBUG=0, and
one `sigap run_huey` (its settings' consumer: 2 threads). The demo-data filler that make serve
also starts is not: the database is seeded by bench/seed.py instead. On PostgreSQL the
production shape: DATABASE_URL and REDIS_URL (cache and queue). --tree runs another checkout's
code (its own .venv) with the same harness: the "before" of a change.

The clients are real code paths, all on 127.0.0.1:
- creates: Open311 POST requests.json with an API key, each with its own contact e-mail (the
  client the Open311 peer comparison measured; the REST API's create is the same service);
- the desk: for one created report in ten, a dispatcher's REST `verify` 1 s later and
  `assign` (to an officer with an e-mail address) 2 s after that, as a city desk works;
- cached reads: the Open311 list at the hot spot and /r/<ticket> of seeded reports;
- the channel: Django's SMTP backend (SIGAP_EMAIL_HOST) talking to an SMTP sink in this
  process, which records when each message arrives and the ticket it names.

Every load is open loop (wrk2's way): request i is sent at t0 + i/rate whether or not the
earlier ones have answered, and its latency counts from that intended time, so a stall shows
as latency instead of as fewer requests. The burst is closed loop on purpose: --connections
clients sending creates back to back, "as fast as they come".

Reported per scenario: the outbox depth sampled every second (max), each notification's
delay from its event to its arrival at the sink (a citizen's update waits
SIGAP_NOTIFY_COALESCE_SECONDS by design; that window is reported apart), reads' and creates'
p50/p99, and for the burst the time from the last create to an empty outbox.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api import stop as stop_processes  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOT = (-10.17, 123.60)
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test"
PG_DB = "worker_bench"
REDIS_DB = 5
PORT = 8310
SMTP_PORT = 8311
TICKET = re.compile(rb"[A-Z]{2,5}-\d{4}-[A-Z]?\d+")


# --- Targets (issue 15) ---------------------------------------------------------------------

@dataclass
class Scale:
    rate: float = 50.0          # creates per second, sustained
    minutes: float = 5.0        # how long
    read_rate: float = 30.0     # cached reads per second
    desk_every: int = 10        # one created report in this many is verified and assigned
    burst: int = 10_000         # creates in the burst
    burst_read_rate: float = 20.0
    connections: int = 8        # the burst's concurrent clients
    c_seconds: float = 60.0     # (c) at a seeded size: the sustained load for this long


FULL = Scale()
QUICK = Scale(rate=15, minutes=0.5, read_rate=10, desk_every=5, burst=600,
              burst_read_rate=10, connections=4, c_seconds=15)


def percentile(values, p):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- The stack: a database, gunicorn and the worker -------------------------------------------

@dataclass
class Stack:
    db: str
    size: int
    tree: Path
    tmp: Path
    template: Path | None = None
    procs: list = field(default_factory=list)
    env: dict = field(default_factory=dict)
    fixture: dict = field(default_factory=dict)

    @property
    def py(self) -> str:
        return str(self.tree / ".venv" / "bin" / "python")

    @property
    def var(self) -> Path:
        return self.tmp / "var"

    def prepare(self) -> None:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SIGAP_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="sigap.settings", SIGAP_DEBUG="0",
            SIGAP_VAR_DIR=str(self.var), SIGAP_SECRET_KEY_FILE=str(self.var / "secret_key"),
            SIGAP_SITE_URL=f"http://127.0.0.1:{PORT}", SIGAP_DEMO_PASSWORD="benchpass",
            SIGAP_EMAIL_HOST="127.0.0.1", SIGAP_EMAIL_PORT=str(SMTP_PORT), SIGAP_EMAIL_TLS="0",
            # The desk is one token making ~10 requests/s: above the per-user default (600/min).
            SIGAP_THROTTLE_USER="100000/min", PYTHONUNBUFFERED="1",
            # The load's Open311 lists come from a few addresses: not the flood this limits.
            SIGAP_THROTTLE_OPEN311="1000000/min")
        if self.template is not None:
            shutil.copytree(self.template, self.var)
        else:
            self.var.mkdir(parents=True)
        if self.db == "postgres":
            psql(f"DROP DATABASE IF EXISTS {PG_DB}")
            psql(f"CREATE DATABASE {PG_DB}" + (" TEMPLATE worker_seed_1m" if self.template
                                               else ""))
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
            env["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DB}"
            subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], check=True,
                           capture_output=True)
        self.env = env
        if self.template is None:
            self.run([self.py, "-m", "sigap.cli", "setup", "--demo-data-later"])
            self.run([self.py, str(ROOT / "bench" / "seed.py"), str(self.size),
                      f"--hot={HOT[0]},{HOT[1]}"])
        out = self.run([self.py, str(ROOT / "bench" / "load.py"), "fixture"]).stdout
        self.fixture = json.loads(out.strip().splitlines()[-1])

    def run(self, cmd):
        return subprocess.run(cmd, env=self.env, cwd=self.tree, check=True, text=True,
                              capture_output=True)

    def start(self) -> None:
        import socket  # noqa: PLC0415 - only the stack checks its port

        with socket.socket() as probe:  # a server left over from a killed run would answer
            if probe.connect_ex(("127.0.0.1", PORT)) == 0:
                raise RuntimeError(f"port {PORT} is in use: a server from an earlier run?")
        bin_ = self.tree / ".venv" / "bin"
        log = open(self.tmp / "server.log", "a")  # noqa: SIM115 - closed with the process
        self.procs.append(subprocess.Popen(
            [str(bin_ / "sigap"), "run_huey"], env=self.env, cwd=self.tree,
            stdout=log, stderr=log, start_new_session=True))
        self.procs.append(subprocess.Popen(
            [str(bin_ / "gunicorn"), "sigap.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
             "--workers", str(os.cpu_count() or 2), "--timeout", "60",
             "--access-logfile", str(self.tmp / "access.log")],
            env=self.env, cwd=self.tree, stdout=log, stderr=log, start_new_session=True))
        import urllib.request  # noqa: PLC0415 - only the stack waits on the server

        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/open311/v2/services.json",
                                       timeout=2)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer: " + (self.tmp / "server.log").read_text())

    @property
    def worker_pid(self) -> int:
        return self.procs[0].pid

    def stop(self) -> None:
        stop_processes(*reversed(self.procs))
        self.procs.clear()

    # Reading the outbox from outside the product: one light query a second.
    def outbox_reader(self):
        if self.db == "postgres":
            import psycopg  # noqa: PLC0415 - the PostgreSQL leg only

            conn = psycopg.connect(self.env["DATABASE_URL"], autocommit=True)
            return lambda: conn.execute("SELECT count(*) FROM reports_outbox").fetchone()[0]
        conn = sqlite3.connect(f"file:{self.var / 'sigap.sqlite3'}?mode=ro", uri=True,
                               timeout=5, isolation_level=None, check_same_thread=False)
        return lambda: conn.execute("SELECT count(*) FROM reports_outbox").fetchone()[0]

    def notifications(self) -> list[dict]:
        out = self.run([self.py, str(ROOT / "bench" / "load.py"), "notifications"]).stdout
        return json.loads(out.strip().splitlines()[-1])


def psql(sql):
    subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True, capture_output=True)


# --- Django-side helpers, run as `load.py fixture|notifications` in the stack's env ------------

def django_fixture() -> None:
    import django  # noqa: PLC0415 - run inside the stack's environment only

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from io import StringIO  # noqa: PLC0415
    from rest_framework.authtoken.models import Token  # noqa: PLC0415

    from sigap.accounts.models import User  # noqa: PLC0415
    from sigap.agencies.models import Category  # noqa: PLC0415
    from sigap.reports.models import Report  # noqa: PLC0415

    out = StringIO()
    call_command("apikey", "create", "bench-load", "--rate", "100000000", stdout=out)
    api_key = re.search(r"([A-Za-z0-9_\-]{20,})", out.getvalue()).group(1)
    category = Category.objects.filter(city__code="kupang", code="MACET").select_related(
        "agency").first()
    officer = User.objects.get(username=f"officer-{category.agency.code.lower()}-1")
    User.objects.filter(pk=officer.pk).update(email="officer@bench.test",
                                              notify_channel="email")
    admin = User.objects.get(username="admin")
    token, _ = Token.objects.get_or_create(user=admin)
    # The seeded backlog is past its deadlines: without this the SLA poller's first minute
    # would escalate all of it at once (a catch-up a running city never has) in the middle of
    # the measurement. Put it at the top of the ladder, where the poller has nothing to do.
    Report.objects.filter(ticket__contains="-B", escalation_level__lt=3).update(
        escalation_level=3)
    tickets = list(Report.objects.filter(ticket__contains="-B").order_by("ticket")
                   .values_list("ticket", flat=True)[:50])
    print(json.dumps({"api_key": api_key, "token": token.key, "officer": officer.username,
                      "tickets": tickets}))


def django_notifications() -> None:
    import django  # noqa: PLC0415 - run inside the stack's environment only

    django.setup()
    from sigap.notifications.models import Notification  # noqa: PLC0415

    rows = Notification.objects.values_list(
        "pk", "event__at", "report__ticket", "destination", "state", "purpose", "sent_at")
    print(json.dumps([{"pk": pk, "at": at.timestamp(), "ticket": ticket, "to": to,
                       "state": state, "purpose": purpose,
                       "sent_at": sent.timestamp() if sent else None}
                      for pk, at, ticket, to, state, purpose, sent in rows]))


# --- The channel: an SMTP sink ----------------------------------------------------------------

class Sink:
    """A minimal SMTP server: accepts every message, records (arrival, recipient, ticket)."""

    def __init__(self):
        self.messages: list[tuple[float, str, str]] = []

    async def serve(self, reader, writer):
        writer.write(b"220 sink\r\n")
        rcpts, data_mode, body = [], False, []
        try:
            while line := await reader.readline():
                if data_mode:
                    if line in (b".\r\n", b".\n"):
                        data_mode = False
                        found = TICKET.search(b"".join(body))
                        ticket = found.group().decode() if found else ""
                        now = time.time()
                        self.messages += [(now, r, ticket) for r in rcpts]
                        rcpts, body = [], []
                        writer.write(b"250 ok\r\n")
                    else:
                        body.append(line)
                    continue
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    writer.write(b"250 sink\r\n")
                elif verb == b"RCPT":
                    rcpts.append(line.split(b":", 1)[1].strip(b" <>\r\n").decode())
                    writer.write(b"250 ok\r\n")
                elif verb == b"DATA":
                    data_mode = True
                    writer.write(b"354 go\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    break
                else:  # MAIL, RSET, NOOP
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        finally:
            writer.close()


# --- The load ---------------------------------------------------------------------------------

class Load:
    def __init__(self, stack: Stack, client):
        self.stack, self.client = stack, client
        self.base = f"http://127.0.0.1:{PORT}"
        self.fx = stack.fixture
        self.n = 0
        self.lat: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.codes: dict[str, int] = {}
        self.tasks: set = set()

    def _record(self, kind, start, response):
        self.lat.setdefault(kind, []).append((time.perf_counter() - start) * 1000)
        if response is None or response.status_code >= 400:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            code = "exc" if response is None else str(response.status_code)
            self.codes[code] = self.codes.get(code, 0) + 1

    async def _req(self, kind, start, method, url, **kw):
        try:
            response = await self.client.request(method, url, **kw)
        except Exception:  # noqa: BLE001 - a failed request counts as an error
            response = None
        self._record(kind, start, response)
        return response

    async def create(self, start, desk=False):
        i = self.n = self.n + 1
        response = await self._req("create", start, "POST", self.base + "/open311/v2/requests.json",
                                   data={"api_key": self.fx["api_key"], "jurisdiction_id": "kupang",
                                         "service_code": "MACET", "lat": HOT[0], "long": HOT[1],
                                         "description": f"Macet di persimpangan {i}",
                                         "email": f"c{i}@bench.test"})
        if desk and response is not None and response.status_code < 300:
            ticket = response.json()[0]["service_request_id"]
            self.spawn(self.desk(ticket))

    async def desk(self, ticket):
        headers = {"Authorization": f"Token {self.fx['token']}"}
        url = f"{self.base}/api/v1/reports/{ticket}/"
        await asyncio.sleep(1)
        await self._req("desk", time.perf_counter(), "POST", url + "verify/", headers=headers,
                        json={"note": ""})
        await asyncio.sleep(2)
        await self._req("desk", time.perf_counter(), "POST", url + "assign/", headers=headers,
                        json={"officer": self.fx["officer"]})

    def read_url(self, i):
        if i % 2:
            return "list", (f"{self.base}/open311/v2/requests.json?lat={HOT[0]}&long={HOT[1]}"
                            "&radius=500")
        return "page", f"{self.base}/r/{self.fx['tickets'][i // 2 % len(self.fx['tickets'])]}"

    async def read(self, start, i):
        kind, url = self.read_url(i)
        await self._req(kind, start, "GET", url)

    async def warm(self):
        """Every gunicorn worker through each path once or more (its first request loads the
        URLconf, templates and caches), sequentially, before anything is measured."""
        for _ in range(3):
            for i in range(2 * len(self.fx["tickets"])):
                await self.client.get(self.read_url(i)[1])
        self.lat.clear()
        self.errors.clear()
        self.codes.clear()

    def spawn(self, coro):
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def open_loop(self, rate, seconds, make):
        """Start make(intended_start, i) at t0 + i/rate, never waiting for an answer."""
        t0, count = time.perf_counter(), int(rate * seconds)
        for i in range(count):
            intended = t0 + i / rate
            delay = intended - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            self.spawn(make(intended, i))

    async def settle(self):
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


async def sample(read_depth, into: list, stop: asyncio.Event, every=1.0):
    t0 = time.time()
    while not stop.is_set():
        try:
            depth = await asyncio.to_thread(read_depth)
        except Exception:  # noqa: BLE001 - a locked read is retried next second
            depth = None
        into.append((time.time() - t0, depth))
        try:
            await asyncio.wait_for(stop.wait(), every)
        except asyncio.TimeoutError:
            pass


async def wait_empty(read_depth, limit: float) -> float | None:
    """Seconds until the outbox is empty (polled every 0.2 s), None past `limit`."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < limit:
        try:
            if await asyncio.to_thread(read_depth) == 0:
                return time.perf_counter() - t0
        except sqlite3.OperationalError:
            pass
        await asyncio.sleep(0.2)
    return None


def summarise(load: Load, kinds=("create", "list", "page", "desk")) -> dict:
    load.lat["read"] = load.lat.get("list", []) + load.lat.get("page", [])
    load.errors["read"] = load.errors.get("list", 0) + load.errors.get("page", 0)
    kinds = (*kinds, "read")
    return {"codes": load.codes} | {
        k: {"n": len(load.lat.get(k, [])), "p50": percentile(load.lat.get(k, []), 50),
            "p99": percentile(load.lat.get(k, []), 99), "errors": load.errors.get(k, 0)}
        for k in kinds}


def delays(notes: list[dict], sink: Sink) -> dict:
    """Each notification's delay from its event to the first message to its destination naming
    its ticket after the event; duplicates (two messages for one notification) counted."""
    arrivals: dict[tuple[str, str], list[float]] = {}
    for at, to, ticket in sink.messages:
        arrivals.setdefault((to, ticket), []).append(at)
    out = {"citizen": [], "officer": [], "undelivered": 0, "messages": len(sink.messages),
           "sent": 0}
    for n in notes:
        if n["state"] not in ("sent", "coalesced"):
            out["undelivered"] += 1
            continue
        out["sent"] += n["state"] == "sent"
        times = [t for t in arrivals.get((n["to"], n["ticket"]), []) if t >= n["at"] - 0.5]
        if not times:
            out["undelivered"] += 1
            continue
        out["citizen" if n["purpose"] == "status" else "officer"].append(min(times) - n["at"])
    return out


@contextlib.asynccontextmanager
async def loaded(stack: Stack):
    """Yield (load, depth, done): a warmed-up client on the stack and the outbox depth sampled
    every second into `depth` until the block ends (`done` is set then)."""
    import httpx  # noqa: PLC0415 - only the load needs the client

    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        load = Load(stack, client)
        await load.warm()
        depth, done = [], asyncio.Event()
        sampler = asyncio.ensure_future(sample(stack.outbox_reader(), depth, done))
        try:
            yield load, depth, done
        finally:
            done.set()
            await sampler


async def scenario_sustained(stack: Stack, scale: Scale, seconds: float, sink: Sink) -> dict:
    """(a): creates at scale.rate with the desk's actions, cached reads at scale.read_rate."""
    async with loaded(stack) as (load, depth, _done):
        t0 = time.time()
        await asyncio.gather(
            load.open_loop(scale.rate, seconds,
                           lambda start, i: load.create(start, desk=i % scale.desk_every == 0)),
            load.open_loop(scale.read_rate, seconds, load.read))
        await load.settle()
        load_s = time.time() - t0
        empty_after = await wait_empty(stack.outbox_reader(), 120)
        # Let the last citizens' updates out: their window, then the worker's lag.
        deadline = time.time() + 150
        while time.time() < deadline:
            notes = stack.notifications()
            if notes and all(n["state"] not in ("pending", "sending") for n in notes):
                break
            await asyncio.sleep(3)
    values = [d for _, d in depth if d is not None]
    return {"seconds": load_s, "latency": summarise(load), "depth_max": max(values, default=0),
            "depth_samples": len(values), "empty_after_s": empty_after,
            "delays": delays(notes, sink)}


async def scenario_burst(stack: Stack, scale: Scale) -> dict:
    """(b): scale.burst creates from scale.connections clients back to back, reads meanwhile."""
    async with loaded(stack) as (load, depth, _done):
        remaining = scale.burst
        reads_stop = asyncio.Event()

        async def client_loop():
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await load.create(time.perf_counter())

        async def reads():
            i, t0 = 0, time.perf_counter()
            while not reads_stop.is_set():
                intended = t0 + i / scale.burst_read_rate
                delay = intended - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                load.spawn(load.read(intended, i))
                i += 1

        reader = asyncio.ensure_future(reads())
        t0 = time.perf_counter()
        await asyncio.gather(*(client_loop() for _ in range(scale.connections)))
        create_s = time.perf_counter() - t0
        empty_after = await wait_empty(stack.outbox_reader(), 300)
        reads_stop.set()
        await reader
        await load.settle()
    values = [d for _, d in depth if d is not None]
    return {"creates": scale.burst, "create_s": create_s, "rate": scale.burst / create_s,
            "latency": summarise(load, ("create", "list", "page")),
            "depth_max": max(values, default=0), "empty_after_s": empty_after}


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


async def run(args, scale: Scale) -> dict:
    results = {"db": args.db, "size": args.size, "tree": str(args.tree),
               "uptime_before": uptime(), "scale": scale.__dict__}
    sink = Sink()
    server = await asyncio.start_server(sink.serve, "127.0.0.1", SMTP_PORT)
    tmp = tempfile.mkdtemp(prefix="worker-load-")
    try:
        stack = Stack(args.db, args.size, Path(args.tree), Path(tmp),
                      Path(args.template) if args.template else None)
        await asyncio.to_thread(stack.prepare)
        stack.start()
        profiler = None
        try:
            if args.py_spy:
                profiler = subprocess.Popen(
                    [shutil.which("py-spy") or str(ROOT / ".venv/bin/py-spy"), "record",
                     "-p", str(stack.worker_pid), "-o", args.py_spy, "-f", "raw", "-r", "50",
                     "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name in args.scenario.split(","):
                sink.messages.clear()
                if name == "a":
                    results["a"] = await scenario_sustained(stack, scale, scale.minutes * 60, sink)
                elif name == "c":
                    results["c"] = await scenario_sustained(stack, scale, scale.c_seconds, sink)
                elif name == "b":
                    results["b"] = await scenario_burst(stack, scale)
                print(json.dumps({name: results[name]}), file=sys.stderr, flush=True)
        finally:
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)
                profiler.wait(timeout=60)
            stack.stop()
            server.close()
            # What the worker ran: Huey logs one "Executing <task>" line per job.
            jobs = {}
            for line in (Path(tmp) / "server.log").read_text(errors="replace").splitlines():
                found = re.search(r"INFO:huey:Worker-\d+:Executing ([\w.]+)", line)
                if found:
                    jobs[found.group(1)] = jobs.get(found.group(1), 0) + 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}", file=sys.stderr)
    results["uptime_after"] = uptime()
    results["jobs"] = jobs
    return results


def check(results: dict, *, coalesce: float, quick: bool) -> list[str]:
    """The issue's targets; return the ones missed."""
    missed = []
    read_p99 = 100 if not quick else 250
    create_p99 = 100 if not quick else 250
    if "a" in results:
        a = results["a"]
        if a["depth_max"] > 500:
            missed.append(f"(a) outbox held {a['depth_max']} > 500")
        d = a["delays"]
        if d["undelivered"]:
            missed.append(f"(a) {d['undelivered']} notifications not delivered")
        if d["messages"] != d["sent"]:
            missed.append(f"(a) {d['messages']} messages for {d['sent']} sent notifications")
        worst_officer = max(d["officer"], default=0)
        worst_citizen = max(d["citizen"], default=0) - coalesce
        if max(worst_officer, worst_citizen) > 30:
            missed.append(f"(a) a notification took {worst_officer:.1f} s (officer) / "
                          f"{worst_citizen:.1f} s beyond the window (citizen) > 30 s")
        if a["latency"]["read"]["p99"] >= read_p99:
            missed.append(f"(a) reads p99 {a['latency']['read']['p99']:.0f} ms")
    if "b" in results:
        b = results["b"]
        if b["empty_after_s"] is None or b["empty_after_s"] > 120:
            missed.append(f"(b) events finished {b['empty_after_s']} s after the last create")
        if b["latency"]["read"]["p99"] >= 2 * read_p99:
            missed.append(f"(b) reads p99 {b['latency']['read']['p99']:.0f} ms")
    for key in ("a", "c"):
        if key in results and results[key]["latency"]["create"]["p99"] >= create_p99:
            missed.append(f"({key}) create p99 {results[key]['latency']['create']['p99']:.0f} ms")
    return missed


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["fixture"]:
        django_fixture()
        return 0
    if argv[:1] == ["notifications"]:
        django_notifications()
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--scenario", default="a,b")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--tree", default=str(ROOT))
    parser.add_argument("--template", default="",
                        help="a seeded var/ to copy (and, on PostgreSQL, worker_seed_1m)")
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--py-spy", default="", help="record the worker into this file")
    parser.add_argument("--port", type=int, default=8310, help="gunicorn's; the SMTP sink's +1")
    parser.add_argument("--pg-db", default="worker_bench")
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--json", default="", help="also write the results here")
    args = parser.parse_args(argv)
    global PORT, SMTP_PORT, PG_DB, REDIS_DB
    PORT, SMTP_PORT, PG_DB, REDIS_DB = args.port, args.port + 1, args.pg_db, args.redis_db
    scale = QUICK if args.quick else FULL
    if args.minutes is not None:
        scale.minutes = args.minutes
    # A timeout's SIGTERM unwinds like ^C, so that the servers are stopped (not orphaned).
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    results = asyncio.run(run(args, scale))
    coalesce = float(os.environ.get("SIGAP_NOTIFY_COALESCE_SECONDS", 30))
    results["missed"] = check(results, coalesce=coalesce, quick=args.quick)
    text = json.dumps(results, indent=1)
    if args.json:
        Path(args.json).write_text(text)
    print(text)
    return 1 if results["missed"] else 0


if __name__ == "__main__":
    sys.exit(main())
