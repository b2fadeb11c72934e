"""A real Sigap (gunicorn + the Huey worker) on its own database, and clients that load it.

Used by the slow reliability tests (test_load.py): the server runs as `make serve` runs it,
on a fresh SQLite file or a fresh PostgreSQL database (when DATABASE_URL is set, the
PostgreSQL leg), with Redis for the cache and the queue on that leg.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from bench.api import stop

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PENFUI = {"lat": -10.1716, "lng": 123.6711}
UNLIMITED = "1000000/min"


def jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


PHOTO = jpeg()


class Server:
    """Start, kill and restart Sigap's processes; read its database directly."""

    def __init__(self, tmp: Path, *, limits: dict | None = None):
        self.tmp = tmp
        self.port = 8500 + os.getpid() % 90
        self.url = f"http://127.0.0.1:{self.port}"
        self.pg_url = None
        # Each server its own cache prefix and queue: Redis is shared by the runs of a leg.
        tag = f"rel{os.getpid()}x{secrets.token_hex(3)}"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SIGAP_", "DATABASE_URL", "REDIS_URL"))}
        env.update({
            "SIGAP_DEBUG": "0", "SIGAP_SECRET_KEY": secrets.token_urlsafe(50),
            "SIGAP_VAR_DIR": str(tmp / "var"), "SIGAP_MEDIA_ROOT": str(tmp / "var" / "media"),
            "SIGAP_STATIC_ROOT": str(tmp / "static"),
            "SIGAP_THROTTLE_ANON": UNLIMITED, "SIGAP_THROTTLE_USER": UNLIMITED,
            "SIGAP_THROTTLE_OPEN311": UNLIMITED,
            "SIGAP_WEB_REPORTS_PER_DEVICE": UNLIMITED,
            "SIGAP_WEB_REPORTS_PER_ADDRESS": UNLIMITED, "SIGAP_WEB_SAME_TEXT": UNLIMITED,
            "SIGAP_HUEY_NAME": tag, "SIGAP_CACHE_PREFIX": tag, "SIGAP_WORKERS": "2",
        })
        env.update(limits or {})
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url:
            parts = urlsplit(database_url)
            self.pg_url = urlunsplit(parts._replace(path=f"/h17_{tag}"))
            subprocess.run(["dropdb", "--if-exists", "-h", parts.hostname or "127.0.0.1",
                            "-U", parts.username or "postgres", f"h17_{tag}"], check=True)
            subprocess.run(["createdb", "-h", parts.hostname or "127.0.0.1",
                            "-U", parts.username or "postgres", f"h17_{tag}"], check=True)
            env["DATABASE_URL"] = self.pg_url
            if os.environ.get("REDIS_URL"):
                env["REDIS_URL"] = os.environ["REDIS_URL"]
        self.env = env
        self.procs: list[subprocess.Popen] = []
        self.log = open(tmp / "server.log", "ab")
        self.sigap("setup", "--no-demo")
        self.api_key = self.sigap("apikey", "create", "Load", "--rate", "1000000").split()[-1]

    def sigap(self, *args) -> str:
        return subprocess.run([str(BIN / "sigap"), *args], env=self.env, cwd=ROOT, check=True,
                              capture_output=True, text=True, timeout=300).stdout.strip()

    def start(self, workers: int = 2) -> float:
        """Start gunicorn and the worker; return the seconds until the server answers."""
        started = time.monotonic()
        self.procs = [
            subprocess.Popen([str(BIN / "gunicorn"), "sigap.wsgi:application", "--bind",
                              f"127.0.0.1:{self.port}", "--workers", str(workers),
                              "--timeout", "60"], env=self.env, cwd=ROOT, stdout=self.log,
                             stderr=self.log, start_new_session=True),
            subprocess.Popen([str(BIN / "sigap"), "run_huey"], env=self.env, cwd=ROOT,
                             stdout=self.log, stderr=self.log, start_new_session=True),
        ]
        while time.monotonic() - started < 60:
            try:
                if requests.get(self.url + "/open311/v2/services.json", timeout=2).ok:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start: see " + str(self.tmp / "server.log"))

    def kill_worker(self) -> None:
        """SIGKILL the Huey worker alone (the web server keeps taking reports)."""
        worker = self.procs[1]
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.wait()

    def start_worker(self) -> None:
        """Start the Huey worker again after kill_worker()."""
        self.procs[1] = subprocess.Popen([str(BIN / "sigap"), "run_huey"], env=self.env,
                                         cwd=ROOT, stdout=self.log, stderr=self.log,
                                         start_new_session=True)

    def kill(self) -> None:
        """SIGKILL every process of the server and the worker (no clean shutdown)."""
        for proc in self.procs:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        self.procs = []

    def stop(self) -> None:
        stop(*self.procs, timeout=20)
        self.procs = []
        self.log.close()
        if self.pg_url:
            parts = urlsplit(self.pg_url)
            subprocess.run(["dropdb", "--if-exists", "--force", "-h", parts.hostname,
                            "-U", parts.username or "postgres", parts.path.lstrip("/")])

    def query(self, sql: str) -> list[tuple]:
        if self.pg_url:
            import psycopg

            with psycopg.connect(self.pg_url) as conn:
                return conn.execute(sql).fetchall()
        with sqlite3.connect(self.tmp / "var" / "sigap.sqlite3", timeout=60) as conn:
            return conn.execute(sql).fetchall()


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acked: dict = field(default_factory=dict)       # idempotency key -> ticket
    statuses: dict = field(default_factory=dict)    # status code -> count
    latencies: list = field(default_factory=list)
    duplicates: int = 0                              # a replay that answered another ticket
    replays: int = 0
    errors: list = field(default_factory=list)
    retry_after_missing: int = 0

    def add(self, status: int, seconds: float) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.latencies.append(seconds)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)

    def p99(self) -> float:
        data = sorted(self.latencies)
        return data[int(len(data) * 0.99) - 1] if data else 0.0


class Client:
    """One citizen's phone or one integrating app: a channel, a session, retries by key."""

    def __init__(self, server: Server, channel: str, tally: Tally, *, ip: str | None = None):
        self.server, self.channel, self.tally = server, channel, tally
        self.http = requests.Session()
        self.headers = {"X-Client-Id": uuid.uuid4().hex}
        if channel == "web":
            page = self.http.get(server.url + "/lapor/", timeout=30)
            page.raise_for_status()

    def _post(self, key: str):
        url, data, files, headers = self.server.url, {}, None, {"Idempotency-Key": key}
        description = f"Sampah menumpuk {key[:8]}"
        if self.channel == "open311":
            url += "/open311/v2/requests.json"
            data = {"api_key": self.server.api_key, "service_code": "SAMPAH",
                    "lat": PENFUI["lat"], "long": PENFUI["lng"], "description": description,
                    "attribute[volume]": "besar"}
            files = {"media": ("a.jpg", PHOTO, "image/jpeg")}
        elif self.channel == "rest":
            url += "/api/v1/reports/"
            data = {"category": "SAMPAH", **PENFUI, "description": description,
                    "answers": json.dumps({"volume": "kecil"})}
            files = {"photos": ("a.jpg", PHOTO, "image/jpeg")}
            headers.update(self.headers)
        else:
            url += "/lapor/"
            data = {"key": key, "category": "SAMPAH", **PENFUI, "description": description,
                    "attribute[volume]": "kecil"}
            files = {"photos": ("a.jpg", PHOTO, "image/jpeg")}
            headers.update({"Accept": "application/json",
                            "X-CSRFToken": self.http.cookies.get("csrftoken", ""),
                            "Referer": self.server.url + "/lapor/"})
        return self.http.post(url, data=data, files=files, headers=headers, timeout=60)

    @staticmethod
    def ticket_of(channel: str, body) -> str:
        if channel == "open311":
            return body[0]["service_request_id"]
        return body["ticket"]

    def send(self, key: str, *, until: float) -> str | None:
        """POST one report, retrying with the same key on a lost answer; return its ticket."""
        while time.monotonic() < until + 30:
            started = time.monotonic()
            try:
                response = self._post(key)
            except requests.RequestException:
                time.sleep(0.5)  # no answer (the server is down): try again, same key
                continue
            self.tally.add(response.status_code, time.monotonic() - started)
            if response.status_code in (200, 201):
                return self.ticket_of(self.channel, response.json())
            if response.status_code == 429:
                if "Retry-After" not in response.headers:
                    self.tally.retry_after_missing += 1
                return None
            if response.status_code >= 500:
                time.sleep(0.5)
                continue
            self.tally.errors.append((response.status_code, response.text[:200]))
            return None
        return None

    def run(self, until: float, *, replay_every: int = 7, pause: float = 0.0) -> None:
        n = 0
        while time.monotonic() < until:
            key = uuid.uuid4().hex
            ticket = self.send(key, until=until)
            if ticket is None:
                continue
            with self.tally.lock:
                self.tally.acked[(self.channel, key)] = ticket
            n += 1
            if n % replay_every == 0:  # a retry of a report already acknowledged
                again = self.send(key, until=until)
                with self.tally.lock:
                    self.tally.replays += 1
                    if again is not None and again != ticket:
                        self.tally.duplicates += 1
            if pause:
                time.sleep(pause)


def run_clients(server: Server, count: int, seconds: float, tally: Tally,
                during=None) -> None:
    """Run `count` clients (Open311, REST and the web form in turn) for `seconds`."""
    until = time.monotonic() + seconds
    channels = ["open311", "rest", "web"]
    clients = [Client(server, channels[i % 3], tally) for i in range(count)]
    threads = [threading.Thread(target=c.run, args=(until,)) for c in clients]
    for t in threads:
        t.start()
    if during is not None:
        during()
    for t in threads:
        t.join()


def stored(server: Server) -> dict[str, int]:
    """Return ticket -> number of its report photos, as the database has them."""
    rows = server.query(
        "SELECT r.ticket, (SELECT COUNT(*) FROM reports_photo p WHERE p.report_id = r.id "
        "AND p.kind = 'report') FROM reports_report r")
    return dict(rows)


def write_figures(line: dict) -> None:
    """Print one line of a run's figures as JSON and append it to SIGAP_RELIABILITY_OUT when
    set (.ci/run keeps them in var/reliability.jsonl)."""
    print(json.dumps(line))
    out = os.environ.get("SIGAP_RELIABILITY_OUT")
    if out:
        with open(out, "a") as fh:
            fh.write(json.dumps(line) + "\n")
