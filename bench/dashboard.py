"""Dashboard, transparency page and export timings on an existing database (docs/benchmarks.md).

Usage: [DATABASE_URL=...] SIGAP_VAR_DIR=... python bench/dashboard.py [--loads 20] [--csv]

Fill the database first, e.g. `sigap demo-data --reports 1000000 --year 2026`. Server time is
measured in process with Django's test client (the view, its queries and the template; no
network). For each scope (the whole city and the largest kecamatan, the full year):

  roll-up  the worker's roll-up (sigap.dashboard.rollup.refresh, run once beforehand, as the
           periodic task does every 15 minutes), then each load with the page cache cold
           (only the roll-up kept).

The public page is timed the same way (its snapshot made by the worker). `--csv` streams the
whole CSV export once in a child process and reports its peak memory growth. Last:

  live     every load computes the figures from the reports (the cache emptied first):
           the cost before the roll-up (--live-loads; minutes per load at a million).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from sigap.accounts.models import Role, User  # noqa: E402
from sigap.cities.models import Area, City  # noqa: E402
from sigap.dashboard import public, rollup, tasks  # noqa: E402
from sigap.reports.models import Report  # noqa: E402


def p95(values):
    s = sorted(values)
    return s[max(0, round(0.95 * len(s)) - 1)]


def timed(client, url, n, before=None, expect=200):
    out = []
    for _ in range(n):
        if before:
            before()
        t = time.perf_counter()
        r = client.get(url)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == expect, (url, r.status_code)
    return out


def line(label, ms):
    print(f"  {label:<34} median {statistics.median(ms):8.0f} ms   p95 {p95(ms):8.0f} ms"
          f"   (n={len(ms)})", flush=True)
    return statistics.median(ms), p95(ms)


def memory_kb() -> dict:
    """Return the process's resident memory: anonymous (heap: what the export holds) and
    file-backed (SQLite maps its database file; those pages are the OS's cache, shared)."""
    out = {}
    with open("/proc/self/status") as fh:
        for row in fh:
            if row.startswith(("RssAnon:", "RssFile:")):
                out[row.split(":")[0]] = int(row.split()[1])
    return out


def csv_child():
    user = User.objects.filter(role=Role.EXECUTIVE).first()
    client = Client()
    client.force_login(user)
    today = timezone.now().astimezone(City.default().tz).date()
    before = memory_kb()
    peak = dict(before)
    t = time.perf_counter()
    r = client.get(f"/dasbor/ekspor.csv?dari={today.year}-01-01&sampai={today}")
    rows = size = 0
    for i, chunk in enumerate(r.streaming_content):
        size += len(chunk)
        rows += chunk.count(b"\n")
        if i % 5000 == 0:
            peak = {k: max(v, memory_kb()[k]) for k, v in peak.items()}
    peak = {k: max(v, memory_kb()[k]) for k, v in peak.items()}
    print(f"csv rows={rows - 1} bytes={size} seconds={time.perf_counter() - t:.1f} "
          f"anon_growth_mb={(peak['RssAnon'] - before['RssAnon']) / 1024:.1f} "
          f"file_mapped_growth_mb={(peak['RssFile'] - before['RssFile']) / 1024:.1f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--csv", action="store_true")
    parser.add_argument("--live-loads", type=int, default=None,
                        help="loads of the live computation per scope (default: loads/4, at "
                             "least 3; at a million reports each takes minutes)")
    parser.add_argument("--csv-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.csv_child:
        return csv_child()
    from django.db import connection

    city = City.default()
    now = timezone.now()
    today = now.astimezone(city.tz).date()
    n_reports = Report.objects.filter(city=city).count()
    print(f"{connection.vendor}: {n_reports} reports; {os.uname().nodename}; "
          f"load {os.getloadavg()[0]:.1f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    user = User.objects.filter(role=Role.EXECUTIVE).first() or User.objects.create_user(
        "bench-executive", role=Role.EXECUTIVE)
    client = Client()
    client.force_login(user)
    biggest = (Report.objects.filter(city=city).values("kecamatan_id")
               .annotate(n=Count("pk")).order_by("-n").first()["kecamatan_id"])
    kec = Area.objects.get(pk=biggest)
    year = f"dari={date(today.year, 1, 1)}&sampai={today}"
    scopes = [("city, full year", f"/dasbor/?{year}"),
              (f"kecamatan {kec.name}, full year", f"/dasbor/?{year}&kecamatan={kec.pk}")]
    live_n = args.live_loads if args.live_loads is not None else max(3, args.loads // 4)
    t, peak_before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scopes_done = rollup.refresh(city, now=timezone.now())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"worker roll-up: {scopes_done} scopes in {time.perf_counter() - t:.1f} s; "
          f"peak resident {peak / 1024:.0f} MB (+{(peak - peak_before) / 1024:.0f} MB)")
    for label, url in scopes:
        print(label)
        line("roll-up (the worker's)", timed(client, url, args.loads))
    print("public page /transparansi/")
    cache.delete(public.snapshot_key(city.pk))
    queued = []
    real, tasks.prepare_transparency = tasks.prepare_transparency, queued.append
    try:  # the job is noted, not queued: no worker runs here
        line("no snapshot: 'being prepared' (503)",
             timed(Client(), "/transparansi/", args.loads, expect=503))
    finally:
        tasks.prepare_transparency = real
    t = time.perf_counter()
    public.refresh(city, now=timezone.now())
    print(f"  worker snapshot in {time.perf_counter() - t:.1f} s")
    line("with the worker's snapshot", timed(Client(), "/transparansi/", args.loads))
    if args.csv:
        out = subprocess.run([sys.executable, __file__, "--csv-child"], capture_output=True,
                             text=True, check=True, env=os.environ)
        print("export:", out.stdout.strip().splitlines()[-1])
    # Last (at a million reports each load takes minutes): the figures computed live, the
    # cost before the roll-up.
    for label, url in scopes:
        if live_n:
            print(label)
            line("live (before the roll-up)", timed(client, url, live_n, before=cache.clear))


if __name__ == "__main__":
    main()
