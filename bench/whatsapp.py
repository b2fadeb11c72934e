"""WhatsApp intake benchmark: an open-loop model of a city's WhatsApp number, through the fake.

Usage:
    .venv/bin/python bench/whatsapp.py [--conversations 200] [--think 3,20] [--duplicates 0.1]
        [--rates 10,20,40,...] [--step-seconds 15] [--port 8750] [--fake-port 8740]
        [--database-url postgres://.../chat_bench --redis-url redis://.../11] [--json out.json]

The product runs as `make serve` runs it: `sigap setup`, gunicorn with one sync worker per core
(`--workers $(nproc) --timeout 60 --access-logfile -`) and `sigap run_huey` with its default
threads, on the same cores, DEBUG off; SQLite with Huey on SQLite in a fresh temporary
directory, or PostgreSQL with Huey on Redis (dedicated database and db: they are emptied).
(`make serve`'s one-off demo-data filler is not started: it fills an empty city once.)
The fake Cloud API (sigap/channels/fake.py) plays Meta on 127.0.0.1.

The arrival model (phase 1, "conversations"):
- `--conversations` citizens (200) start within the first `think` interval and each reports
  one rubbish problem: "sampah", a photo, "lanjut", a location pin (near one of three known
  places, so some are offered the same problem nearby and answer "no"), a description, the
  volume question, anonymous, send.
- A citizen reads Sigap's answer, then takes a think time drawn uniformly from `--think`
  seconds (3–20 s: reading, typing, walking to take the photo) before the next message.
  Seeded (`--seed`): the same run every time.
- Meta delivers each citizen message as a webhook; with probability `--duplicates` (0.1) it
  delivers it a second time (Meta retries), a third of those at once, the rest 0.5–5 s later.
- For each message Sigap sends, Meta posts the status webhooks "sent" (0.2–1 s later) and
  "delivered" (0.5–2 s later), and "read" when the citizen reads it.
- Deliveries are open loop: each webhook is posted at its scheduled time by a pool of
  senders and nobody waits for its HTTP answer before the next one is due.

Phase 2, "ceiling": the same mix of webhooks (the share of citizen messages measured in phase
1; the rest status webhooks for messages really sent; the same duplicates), as a Poisson
process at increasing rates, `--step-seconds` each; a citizen message there is "halo" from a
new number, so the worker greets it (the worker's work competes for the cores, as in
production). The ceiling is the highest rate whose webhook answer p99 stays under 100 ms.

Reported: conversations completed; reports per number (exactly one each: 0 lost, 0
duplicated); each report's one photo is the citizen's photo (its colour checked); each citizen
got exactly one ticket message; every message stored once; the webhook answer time (measured
at the sender: includes queueing in gunicorn) p50/p95/p99 by kind; the reply time the citizen
sees (webhook posted → Sigap's answer at the fake); the sender's lateness (how late webhooks
left against their schedule: if it is large the sender, not Sigap, was the limit).
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import json
import os
import platform
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = ROOT / ".venv" / "bin"
SECRET = "bench-app-secret"
PLACES = [(-10.17, 123.60), (-10.1716, 123.6711), (-10.1396, 123.6683)]
TARGET_MS = 100.0


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def summary(ms):
    if not ms:
        return {"n": 0}
    return {"n": len(ms), "p50": round(percentile(ms, 50), 1), "p95": round(percentile(ms, 95), 1),
            "p99": round(percentile(ms, 99), 1), "max": round(max(ms), 1)}


class Sender:
    """Posts webhooks at their scheduled times (open loop) and records each answer time."""

    def __init__(self, url: str, threads: int = 128):
        self.url = url
        self.pool = ThreadPoolExecutor(threads)
        self.heap: list = []
        self.order = itertools.count()
        self.cond = threading.Condition()
        self.records: list[tuple] = []  # kind, ms, late ms, status, posted at (monotonic)
        self.lock = threading.Lock()
        self.phase = "conversations"
        self.pending = 0
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def at(self, when: float, kind: str, body: bytes, signature: str) -> None:
        with self.cond:
            heapq.heappush(self.heap, (when, next(self.order), kind, body, signature))
            self.pending += 1
            self.cond.notify()

    def _run(self):
        while self.running:
            with self.cond:
                while self.running and (not self.heap or self.heap[0][0] > time.monotonic()):
                    timeout = self.heap[0][0] - time.monotonic() if self.heap else 1.0
                    self.cond.wait(max(0.0, min(timeout, 1.0)))
                if not self.running:
                    return
                item = heapq.heappop(self.heap)
            self.pool.submit(self._post, *item)

    def _post(self, when, _order, kind, body, signature):
        if body is None:  # the GET handshake: the same server, no work (the baseline)
            request = urllib.request.Request(self.url + "?hub.mode=subscribe&hub.verify_token="
                                             "bench&hub.challenge=1")
        else:
            request = urllib.request.Request(self.url, data=body, method="POST", headers={
                "Content-Type": "application/json", "X-Hub-Signature-256": signature})
        start = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        elapsed = time.monotonic() - start
        with self.lock:
            self.records.append((f"{self.phase}:{kind}", elapsed * 1000,
                                 (start - when) * 1000, status, start))
        with self.cond:
            self.pending -= 1
            self.cond.notify_all()

    def drain(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.pending and time.monotonic() < deadline:
                self.cond.wait(0.5)

    def stop(self):
        self.running = False
        with self.cond:
            self.cond.notify_all()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def take(self, prefix: str):
        with self.lock:
            return [r for r in self.records if r[0].startswith(prefix)]


def start_product(args, var: str) -> tuple[dict, list]:
    env = {**os.environ, "SIGAP_VAR_DIR": var, "SIGAP_DEBUG": "0",
           "SIGAP_SECRET_KEY_FILE": f"{var}/secret_key",
           "SIGAP_WHATSAPP_TOKEN": "bench-token", "SIGAP_WHATSAPP_PHONE_ID": "1000000001",
           "SIGAP_WHATSAPP_APP_SECRET": SECRET, "SIGAP_WHATSAPP_VERIFY_TOKEN": "bench",
           "SIGAP_WHATSAPP_API_URL": f"http://127.0.0.1:{args.fake_port}",
           "SIGAP_SITE_URL": f"http://127.0.0.1:{args.port}"}
    for key in ("DATABASE_URL", "REDIS_URL", "SIGAP_WORKERS", "SIGAP_CHANNELS_MAX_PER_HOUR",
                "SIGAP_HUEY_IMMEDIATE", "DJANGO_SETTINGS_MODULE"):
        env.pop(key, None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
        subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if args.database_url:
        subprocess.run([str(BIN / "sigap"), "migrate", "-v", "0"], env=env, check=True)
        subprocess.run([str(BIN / "sigap"), "flush", "--noinput"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([str(BIN / "sigap"), "setup", "--no-demo"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    workers = os.cpu_count() or 2  # make serve: WORKERS = $(nproc)
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "sigap.wsgi:application", "--bind",
         f"127.0.0.1:{args.port}", "--workers", str(workers), "--timeout", "60",
         # make serve logs each request to stdout; here to a file, with the time the worker
         # took (%(D)s, µs): the server's side of the answer time.
         "--access-logfile", f"{var}/access.log", "--access-logformat", "%(m)s %(s)s %(D)s"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    nice = ["nice", "-n", str(args.worker_nice)] if args.worker_nice else []
    worker = subprocess.Popen([*nice, str(BIN / "sigap"), "run_huey"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return env, [server, worker]


def run(args) -> dict:
    from sigap.channels.fake import FakeCloudAPI
    from sigap.channels.inbound import sign

    var = tempfile.mkdtemp(prefix="sigap-bench-wa-")
    env, processes = start_product(args, var)
    url = f"http://127.0.0.1:{args.port}/kanal/whatsapp/"
    sender = Sender(url)
    rng = random.Random(args.seed)
    rng_lock = threading.Lock()
    think_lo, think_hi = args.think
    statuses_on = threading.Event()
    statuses_on.set()
    reads: dict[str, list[str]] = {}  # phone -> ids of sent messages not read yet

    def rand(fn, *a):
        with rng_lock:
            return fn(*a)

    def deliver(body: bytes, signature: str) -> int:
        """The fake's webhook sender: schedule the delivery (and Meta's retry) and go on."""
        now = time.monotonic()
        sender.at(now, "message", body, signature)
        if rand(rng.random) < args.duplicates:
            again = 0.0 if rand(rng.random) < 1 / 3 else rand(rng.uniform, 0.5, 5.0)
            sender.at(now + again, "message", body, signature)
        return 200

    def status_body(provider_id, status, phone):
        update = {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
            "field": "messages", "value": {"messaging_product": "whatsapp", "statuses": [{
                "id": provider_id, "status": status, "timestamp": str(int(time.time())),
                "recipient_id": phone}]}}]}]}
        body = json.dumps(update).encode()
        return body, sign(SECRET, body)

    def on_sent(record):
        if not statuses_on.is_set():
            return
        now = time.monotonic()
        for status, (lo, hi) in (("sent", (0.2, 1.0)), ("delivered", (0.5, 2.0))):
            sender.at(now + rand(rng.uniform, lo, hi), "status",
                      *status_body(record["id"], status, record["to"]))
        with rng_lock:
            reads.setdefault(record["to"], []).append(record["id"])

    def read_all(phone):
        with rng_lock:
            unread = reads.pop(phone, [])
        now = time.monotonic()
        for provider_id in unread:
            sender.at(now, "status", *status_body(provider_id, "read", phone))

    fake = FakeCloudAPI(app_secret=SECRET, token="bench-token", port=args.fake_port,
                        deliver=deliver, on_sent=on_sent).start()
    result: dict = {}
    try:
        for _ in range(150):  # the server is up when the handshake answers
            try:
                urllib.request.urlopen(url + "?hub.mode=subscribe&hub.verify_token=bench"
                                       "&hub.challenge=1", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        from conftest import jpeg_bytes

        reply_ms: list[float] = []
        colours: dict[str, int] = {}
        lock = threading.Lock()

        def ids(m):
            return {b["id"] for b in m["buttons"]} | {r["id"] for r in m["rows"]}

        def converse(n):
            phone = f"62812{n:08d}"
            crng = random.Random(args.seed * 1000 + n)
            seen = 0

            def say(action, check):
                nonlocal seen
                time.sleep(crng.uniform(think_lo, think_hi))
                read_all(phone)
                start = time.monotonic()
                action()
                seen = fake.wait_for(phone, seen, check, timeout=args.reply_timeout)
                with lock:
                    reply_ms.append((time.monotonic() - start) * 1000)

            time.sleep(crng.uniform(0, think_hi))  # the citizens start at different times
            start = time.monotonic()
            fake.text(phone, "sampah")
            seen = fake.wait_for(phone, seen, lambda m: "skip" in ids(m),
                                 timeout=args.reply_timeout)
            with lock:
                reply_ms.append((time.monotonic() - start) * 1000)
            red = crng.randrange(256)
            colours[f"+{phone}"] = red
            say(lambda: fake.image(phone, jpeg_bytes(color=(red, 80, 80))),
                lambda m: "Foto 1/3" in m["text"])
            say(lambda: fake.tap(phone, "skip"), lambda m: "📎" in m["text"])
            lat, lng = crng.choice(PLACES)
            say(lambda: fake.location(phone, lat + crng.uniform(-3e-4, 3e-4),
                                      lng + crng.uniform(-3e-4, 3e-4)),
                lambda m: "near:no" in ids(m) or "skip" in ids(m) or "Ceritakan" in m["text"])
            if "near:no" in ids(fake.sent_to(phone)[-1]):
                say(lambda: fake.tap(phone, "near:no"), lambda m: "Ceritakan" in m["text"])
            say(lambda: fake.text(phone, f"Sampah menumpuk, percakapan {n}"),
                lambda m: "ans:kecil" in ids(m))
            say(lambda: fake.tap(phone, "ans:kecil"), lambda m: "anon:yes" in ids(m))
            say(lambda: fake.tap(phone, "anon:yes"), lambda m: "ok:send" in ids(m))
            say(lambda: fake.tap(phone, "ok:send"), lambda m: "KPG-" in m["text"])
            read_all(phone)
            return phone

        uptime_before = os.getloadavg()
        started = time.monotonic()
        probe_end = started + think_hi * 12  # a handshake every 0.5 s while conversations run
        for k in range(int((probe_end - started) * 2)):
            sender.at(started + k * 0.5, "handshake", None, "")
        completed, failed = [], []
        with ThreadPoolExecutor(args.conversations) as pool:
            futures = {pool.submit(converse, n): n for n in range(args.conversations)}
            for future in futures:
                try:
                    completed.append(future.result())
                except (TimeoutError, AssertionError) as exc:
                    failed.append(f"{futures[future]}: {exc!r}")
        with sender.cond:  # the handshakes still to come are not needed any more
            kept = [item for item in sender.heap if item[2] != "handshake"]
            sender.pending -= len(sender.heap) - len(kept)
            sender.heap[:] = kept
            heapq.heapify(sender.heap)
        sender.drain()
        elapsed = time.monotonic() - started
        phase1 = [r for r in sender.take("conversations") if not r[0].endswith(":handshake")]
        handshakes = [r[1] for r in sender.take("conversations:handshake")]
        server_phase1 = server_times(var)
        load_after_phase1 = os.getloadavg()

        checks = check_database(env, args.conversations, colours, fake)

        # --- phase 2: the ceiling ---
        statuses_on.clear()
        n_messages = sum(1 for r in phase1 if r[0].endswith(":message"))
        message_share = n_messages / max(1, len(phase1))
        sent_ids = [(m["id"], m["to"]) for m in fake.sent]
        prng = random.Random(args.seed + 1)
        steps = []
        fresh = itertools.count()
        server_seen = [server_phase1]
        for rate in args.rates:
            sender.phase = f"ceiling{rate}"
            t0 = time.monotonic() + 0.5
            t = t0
            while t < t0 + args.step_seconds:
                t += prng.expovariate(rate)
                if prng.random() < message_share:
                    phone = f"62813{next(fresh):08d}"
                    message = {"from": phone, "id": f"wamid.CEIL.{phone}",
                               "timestamp": str(int(time.time())), "type": "text",
                               "text": {"body": "halo"}}
                    body = json.dumps(fake.envelope(phone, message)).encode()
                    kind = "message"
                else:
                    provider_id, phone = prng.choice(sent_ids)
                    body = status_body(provider_id, "read", phone)[0]
                    kind = "status"
                sender.at(t, kind, body, sign(SECRET, body))
                if prng.random() < args.duplicates:
                    again = 0.0 if prng.random() < 1 / 3 else prng.uniform(0.5, 5.0)
                    sender.at(t + again, kind, body, sign(SECRET, body))
            sender.drain(timeout=args.step_seconds + 60)
            records = sender.take(f"ceiling{rate}:")
            server_step = server_times(var)[sum(len(x) for x in server_seen):]
            server_seen.append(server_step)
            ms = [r[1] for r in records]
            late = [r[2] for r in records]
            step = {"rate": rate, "webhooks": len(records),
                    "achieved_per_s": round(len(records) / args.step_seconds, 1),
                    "webhook_ms": summary(ms), "server_ms": summary(server_step),
                    "sender_late_ms_p99": round(percentile(late, 99), 1),
                    "errors": sum(1 for r in records if r[3] != 200),
                    "load": [round(x, 1) for x in os.getloadavg()]}
            steps.append(step)
            print(json.dumps(step), file=sys.stderr, flush=True)
            if step["webhook_ms"]["p99"] >= TARGET_MS:
                break
            time.sleep(2)  # let the worker catch up between steps
        passed = [s["rate"] for s in steps if s["webhook_ms"]["p99"] < TARGET_MS]

        messages_ms = [r[1] for r in phase1 if r[0].endswith(":message")]
        statuses_ms = [r[1] for r in phase1 if r[0].endswith(":status")]
        result = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "database": "postgresql" if args.database_url else "sqlite",
            "queue": "redis" if args.redis_url else "sqlite",
            "gunicorn_workers": os.cpu_count() or 2, "huey": "sigap run_huey (defaults)",
            "worker_nice": args.worker_nice,
            "model": {"conversations": args.conversations, "think_s": list(args.think),
                      "duplicates": args.duplicates, "seed": args.seed,
                      "statuses": "sent, delivered, read per outbound message"},
            "load_before": [round(x, 1) for x in uptime_before],
            "load_after_conversations": [round(x, 1) for x in load_after_phase1],
            "conversations": {
                "completed": len(completed), "failed": failed[:5], "seconds": round(elapsed, 1),
                "webhooks": len(phase1),
                "webhooks_per_s": round(len(phase1) / max(elapsed, 1e-9), 1),
                "peak_per_s": peak_rate(phase1, started),
                "errors": sum(1 for r in phase1 if r[3] != 200),
                "webhook_ms": summary([r[1] for r in phase1]),
                "message_webhook_ms": summary(messages_ms),
                "status_webhook_ms": summary(statuses_ms),
                "sender_late_ms_p99": round(percentile([r[2] for r in phase1], 99) or 0, 1),
                "server_ms": summary(server_phase1),
                "handshake_ms": summary(handshakes),
                "reply_ms": summary(reply_ms),
                **checks},
            "ceiling": {"message_share": round(message_share, 3),
                        "step_seconds": args.step_seconds, "steps": steps,
                        "max_rate_p99_under_100ms": max(passed) if passed else None},
        }
        return result
    finally:
        sender.stop()
        fake.stop()
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def server_times(var: str) -> list[float]:
    """The gunicorn worker's own time (ms) for each webhook POST answered so far."""
    path = Path(var) / "access.log"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "POST":
            out.append(int(parts[2]) / 1000)
    return out


def peak_rate(records, started, window: float = 5.0) -> float:
    """The busiest `window` seconds of a phase, in webhooks per second."""
    counts: dict[int, int] = {}
    for record in records:
        slot = int((record[4] - started) // window)
        counts[slot] = counts.get(slot, 0) + 1
    return round(max(counts.values(), default=0) / window, 1)


def check_database(env, conversations, colours, fake) -> dict:
    """Count what Sigap stored, in a child process (the product's own settings)."""
    script = r"""
import json, io, sys
import django
django.setup()
from django.db.models import Count
from PIL import Image, ImageStat
from sigap.channels.models import InboundMessage
from sigap.reports.models import Photo, Report
colours = json.loads(sys.stdin.read())
per = dict(Report.objects.filter(source="whatsapp").values_list("contact_phone")
           .annotate(n=Count("id")))
photos_right = 0
photos = 0
for report in Report.objects.filter(source="whatsapp").prefetch_related("photos"):
    shots = list(report.photos.all())
    photos += len(shots)
    if len(shots) == 1:
        with shots[0].image.open("rb") as fh:
            red = ImageStat.Stat(Image.open(io.BytesIO(fh.read())).convert("RGB")).mean[0]
        if abs(red - colours.get(report.contact_phone, -999)) <= 8:
            photos_right += 1
print(json.dumps({"per": per, "photos": photos, "photos_right": photos_right,
                  "inbound": InboundMessage.objects.filter(provider_id__startswith="whatsapp:")
                  .count(),
                  "inbound_pending": InboundMessage.objects.filter(state="pending").count()}))
"""
    child_env = {**env, "DJANGO_SETTINGS_MODULE": "sigap.settings"}
    out = subprocess.run([str(BIN / "python"), "-c", script], env=child_env, cwd=ROOT,
                         input=json.dumps(colours), capture_output=True, text=True, check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    per = data["per"]
    phones = [f"+62812{n:08d}" for n in range(conversations)]
    tickets = {p: sum(1 for m in fake.sent_to(p[1:]) if "nomor tiket KPG-" in m["text"])
               for p in phones}
    sent_messages = sum(1 for p in phones for d, _ in fake.transcripts.get(p[1:], []) if d == "in")
    return {"reports": sum(per.values()),
            "lost": sum(1 for p in phones if per.get(p, 0) == 0),
            "duplicated": sum(per.get(p, 0) - 1 for p in phones if per.get(p, 0) > 1),
            "photos": data["photos"], "photos_right": data["photos_right"],
            "ticket_messages_not_one": sum(1 for n in tickets.values() if n != 1),
            "citizen_messages": sent_messages, "inbound_stored": data["inbound"],
            "inbound_pending": data["inbound_pending"]}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--think", type=lambda s: tuple(float(x) for x in s.split(",")),
                        default=(3.0, 20.0), help="think time range in seconds: lo,hi")
    parser.add_argument("--duplicates", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--rates", type=lambda s: [int(x) for x in s.split(",")],
                        default=[10, 20, 40, 60, 80, 100, 130, 160, 200, 250])
    parser.add_argument("--step-seconds", type=float, default=15.0)
    parser.add_argument("--reply-timeout", type=float, default=120.0)
    parser.add_argument("--port", type=int, default=8750)
    parser.add_argument("--fake-port", type=int, default=8740)
    parser.add_argument("--database-url", default="",
                        help="PostgreSQL for the run (emptied first: use a dedicated one)")
    parser.add_argument("--redis-url", default="", help="Redis for Huey (a dedicated db)")
    parser.add_argument("--json", default="", help="also write the result to this file")
    parser.add_argument("--worker-nice", type=int, default=0,
                        help="run the Huey worker at this nice value (an experiment: make "
                             "serve runs it at 0)")
    args = parser.parse_args(argv)
    result = run(args)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n")
    return result


if __name__ == "__main__":
    main()
