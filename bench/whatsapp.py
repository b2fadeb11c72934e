"""WhatsApp intake benchmark: 200 concurrent conversations through the local fake Cloud API.

Usage:
    .venv/bin/python bench/whatsapp.py [--conversations 200] [--replays 2]

Starts Sigap as `make serve` does (gunicorn with one sync worker per core and the Huey
worker, SQLite and Huey on SQLite in a fresh temporary directory) on 127.0.0.1:8650, and the
fake Cloud API (sigap/channels/fake.py) on 127.0.0.1:8640. Each conversation is a citizen who
reads Sigap's answer before writing again: "sampah", a photo, "lanjut", a location pin (near
one of three known places, so some are offered the same problem nearby and say "no"), a
description, the extra question, anonymous, send. Every webhook is delivered `--replays`
times at once (Meta retries; concurrent duplicates are the hard case). Bounded: at most
60 s of waiting per step.

Reports: conversations completed, reports made per number (exactly one each: zero lost, zero
duplicated), photos stored, the webhook's answer time (p50/p95/p99, measured at the sender,
so it includes queueing in gunicorn) and, as the baseline in the same run, the answer time
of the GET verification handshake (the same server, no work).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import signal
import statistics
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
SIGAP_PORT, FAKE_PORT = 8650, 8640
SECRET = "bench-app-secret"
PLACES = [(-10.17, 123.60), (-10.1716, 123.6711), (-10.1396, 123.6683)]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--replays", type=int, default=2)
    parser.add_argument("--database-url", default="",
                        help="PostgreSQL for the run (emptied first: use a dedicated one)")
    parser.add_argument("--redis-url", default="", help="Redis for Huey (a dedicated db)")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="sigap-bench-wa-")
    env = {**os.environ, "SIGAP_VAR_DIR": var, "SIGAP_DEBUG": "false",
           "SIGAP_WHATSAPP_TOKEN": "bench-token", "SIGAP_WHATSAPP_PHONE_ID": "1000000001",
           "SIGAP_WHATSAPP_APP_SECRET": SECRET, "SIGAP_WHATSAPP_VERIFY_TOKEN": "bench",
           "SIGAP_WHATSAPP_API_URL": f"http://127.0.0.1:{FAKE_PORT}",
           "SIGAP_CHANNELS_MAX_PER_HOUR": "1000", "SIGAP_WORKERS": "4",
           "SIGAP_SITE_URL": "http://127.0.0.1:8650"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    os.environ.update({k: v for k, v in env.items()
                       if k.startswith("SIGAP_") or k in ("DATABASE_URL", "REDIS_URL")})
    if args.database_url:
        subprocess.run([str(BIN / "sigap"), "flush", "--noinput"], env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sigap.settings"
    subprocess.run([str(BIN / "sigap"), "setup", "--no-demo"], env=env, check=True)
    workers = os.cpu_count() or 2
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "sigap.wsgi:application", "--bind",
         f"127.0.0.1:{SIGAP_PORT}", "--workers", str(workers), "--timeout", "60"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([str(BIN / "sigap"), "run_huey"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from sigap.channels.fake import FakeCloudAPI

    timings: list[float] = []
    lock = threading.Lock()
    url = f"http://127.0.0.1:{SIGAP_PORT}/kanal/whatsapp/"

    def deliver(body: bytes, signature: str) -> int:
        def once():
            request = urllib.request.Request(url, data=body, method="POST", headers={
                "Content-Type": "application/json", "X-Hub-Signature-256": signature})
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            with lock:
                timings.append(time.perf_counter() - start)
            return status

        if args.replays <= 1:
            return once()
        with ThreadPoolExecutor(args.replays) as pool:
            return max(pool.map(lambda _: once(), range(args.replays)))

    fake = FakeCloudAPI(app_secret=SECRET, token="bench-token", port=FAKE_PORT,
                        deliver=deliver).start()
    try:
        for _ in range(100):  # the server is up when the handshake answers
            try:
                urllib.request.urlopen(url + "?hub.mode=subscribe&hub.verify_token=bench"
                                       "&hub.challenge=1", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        from conftest import jpeg_bytes

        wait_for = fake.wait_for

        def ids(m):
            return {b["id"] for b in m["buttons"]} | {r["id"] for r in m["rows"]}

        def converse(n):
            phone = f"62812{n:08d}"
            rng = random.Random(n)
            seen = 0
            fake.text(phone, "sampah")
            seen = wait_for(phone, seen, lambda m: "skip" in ids(m))
            fake.image(phone, jpeg_bytes(color=(rng.randrange(256), 80, 80)))
            seen = wait_for(phone, seen, lambda m: "Foto 1/3" in m["text"])
            fake.tap(phone, "skip")
            seen = wait_for(phone, seen, lambda m: "📎" in m["text"])
            lat, lng = rng.choice(PLACES)
            fake.location(phone, lat + rng.uniform(-3e-4, 3e-4), lng + rng.uniform(-3e-4, 3e-4))
            seen = wait_for(phone, seen, lambda m: "near:no" in ids(m) or "skip" in ids(m))
            if "near:no" in ids(fake.sent_to(phone)[-1]):
                fake.tap(phone, "near:no")
                seen = wait_for(phone, seen, lambda m: "skip" in ids(m))
            fake.text(phone, f"Sampah menumpuk, percakapan {n}")
            seen = wait_for(phone, seen, lambda m: "ans:kecil" in ids(m))
            fake.tap(phone, "ans:kecil")
            seen = wait_for(phone, seen, lambda m: "anon:yes" in ids(m))
            fake.tap(phone, "anon:yes")
            seen = wait_for(phone, seen, lambda m: "ok:send" in ids(m))
            fake.tap(phone, "ok:send")
            wait_for(phone, seen, lambda m: "KPG-" in m["text"])
            return phone

        baseline = []
        for _ in range(200):
            start = time.perf_counter()
            urllib.request.urlopen(url + "?hub.mode=subscribe&hub.verify_token=bench"
                                   "&hub.challenge=1", timeout=5).read()
            baseline.append(time.perf_counter() - start)

        started = time.perf_counter()
        completed, failed = [], 0
        with ThreadPoolExecutor(args.conversations) as pool:
            for future in [pool.submit(converse, n) for n in range(args.conversations)]:
                try:
                    completed.append(future.result())
                except TimeoutError:
                    failed += 1
        elapsed = time.perf_counter() - started

        import django

        django.setup()
        from django.db.models import Count

        from sigap.reports.models import Photo, Report

        per_number = dict(Report.objects.filter(source="whatsapp").values_list(
            "contact_phone").annotate(n=Count("id")))
        phones = [f"+62812{n:08d}" for n in range(args.conversations)]
        lost = sum(1 for p in phones if per_number.get(p, 0) == 0)
        duplicated = sum(per_number.get(p, 0) - 1 for p in phones if per_number.get(p, 0) > 1)
        photos = Photo.objects.filter(report__source="whatsapp").count()
        ms = [t * 1000 for t in timings]
        base = [t * 1000 for t in baseline]
        result = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
            "database": "postgresql" if args.database_url else "sqlite",
            "queue": "redis" if args.redis_url else "sqlite",
            "load": [round(x, 1) for x in os.getloadavg()], "gunicorn_workers": workers,
            "huey_threads": 4,
            "conversations": args.conversations, "completed": len(completed),
            "timed_out": failed, "replays_per_webhook": args.replays,
            "webhooks": len(ms), "reports": sum(per_number.values()), "lost": lost,
            "duplicated": duplicated, "photos": photos, "seconds": round(elapsed, 1),
            "webhook_ms": {"p50": round(percentile(ms, 50), 1),
                           "p95": round(percentile(ms, 95), 1),
                           "p99": round(percentile(ms, 99), 1),
                           "mean": round(statistics.mean(ms), 1)},
            "handshake_ms": {"p50": round(percentile(base, 50), 1),
                             "p99": round(percentile(base, 99), 1)},
        }
        result["p99_ratio_to_handshake"] = round(
            result["webhook_ms"]["p99"] / max(result["handshake_ms"]["p99"], 0.01), 1)
        print(json.dumps(result, indent=2))
    finally:
        fake.stop()
        for process in (server, worker):
            process.send_signal(signal.SIGTERM)
        for process in (server, worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    main()
