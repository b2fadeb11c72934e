"""Back-office benchmark: inbox and task list server time with 200 officers, 10,000 open reports.

Usage:
    .venv/bin/python bench/inbox.py                 # a fresh SQLite file in a temp directory
    DATABASE_URL=postgres://.../sigap_bench_inbox .venv/bin/python bench/inbox.py
        (the database is emptied of reports and seeded: use a dedicated one)

Seeds the Kupang city pack, one dispatcher and one head per agency, 200 Quick Response
officers spread over the field agencies' teams (one team per kecamatan), and 10,000 open
reports (submitted, verified, assigned, in progress, reopened) with due times spread from
overdue to days ahead. It then measures, in process with Django's test client (so: middleware,
view, queries and template rendering; no network), each page 30 times after 3 warm-ups, and
counts its SQL queries. Target: under 200 ms per page.
"""

from __future__ import annotations

import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["SIGAP_VAR_DIR"] = tempfile.mkdtemp(prefix="sigap-bench-inbox-")
os.environ.setdefault("SIGAP_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SIGAP_DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

OFFICERS = 200
REPORTS = 10_000
RUNS = 30
OPEN_MIX = [("submitted", 30), ("verified", 15), ("assigned", 30), ("in_progress", 20),
            ("reopened", 5)]


def seed(rng: random.Random):
    from sigap.accounts.models import User
    from sigap.agencies.models import Agency, Category, Team
    from sigap.cities.citypack import load_pack
    from sigap.cities.models import Area, City
    from sigap.reports.models import Report

    call_command("migrate", verbosity=0)
    if not City.objects.filter(code="kupang").exists():
        load_pack("kupang")
    city = City.objects.get(code="kupang")
    Report.objects.all().delete()
    User.objects.filter(username__startswith="bench-").delete()
    now = timezone.now()
    agencies = list(Agency.objects.filter(city=city, is_field_agency=True))
    kecamatan = list(Area.objects.filter(city=city, level="kecamatan"))
    kelurahan = list(Area.objects.filter(city=city, level="kelurahan")
                     .exclude(centroid_lat=None))
    categories = list(Category.objects.filter(city=city, is_active=True, agency__in=agencies))
    hasher = "md5$bench$" + "0" * 22  # unusable-for-login placeholder; the client logs in directly

    with transaction.atomic():
        staff = {}
        for agency in agencies:
            code = agency.code.lower()
            staff[agency.pk] = {
                "dispatcher": User.objects.create(username=f"bench-dispatcher-{code}",
                                                  role="dispatcher", agency=agency,
                                                  password=hasher),
                "teams": [Team.objects.get_or_create(
                    agency=agency, code=f"bench-{code}-{k.pk}",
                    defaults={"name": f"QR {agency.short_name} {k.name}"})[0]
                    for k in kecamatan],
                "officers": [],
            }
            for team, k in zip(staff[agency.pk]["teams"], kecamatan, strict=False):
                team.kecamatan.add(k)
        for i in range(OFFICERS):
            agency = agencies[i % len(agencies)]
            officer = User.objects.create(username=f"bench-officer-{i:03d}", role="officer",
                                          agency=agency, password=hasher)
            team = staff[agency.pk]["teams"][(i // len(agencies)) % len(kecamatan)]
            team.members.add(officer)
            staff[agency.pk]["officers"].append((officer, team))
        admin = User.objects.create(username="bench-admin", role="admin", password=hasher)

        statuses = [s for s, weight in OPEN_MIX for _ in range(weight)]
        rows = []
        for i in range(REPORTS):
            category = rng.choice(categories)
            area = rng.choice(kelurahan)
            status = rng.choice(statuses)
            created = now - timedelta(minutes=rng.randint(0, 6 * 24 * 60))
            officer, team = (None, None)
            if status in ("assigned", "in_progress", "reopened"):
                officer, team = rng.choice(staff[category.agency_id]["officers"])
            rows.append(Report(
                city=city, ticket=f"KPG-2026-B{i:06d}", category=category,
                description="Laporan uji beban", lat=area.centroid_lat, lng=area.centroid_lng,
                address=f"Jl. Uji {i}", kelurahan=area, kecamatan_id=area.parent_id,
                status=status, priority=category.priority, agency_id=category.agency_id,
                team=team, officer=officer, created_at=created, updated_at=created,
                response_due_at=created + timedelta(hours=category.response_sla_hours),
                due_at=created + timedelta(hours=category.resolve_sla_hours),
                escalation_level=rng.choice([0, 0, 0, 1, 2]),
            ))
        Report.objects.bulk_create(rows, batch_size=1000)
    return staff, admin, agencies


def measure(client: Client, url: str) -> dict:
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    times.sort()
    return {"median": statistics.median(times), "p95": times[int(len(times) * 0.95) - 1],
            "max": times[-1], "queries": len(ctx.captured_queries)}


def main():
    from sigap.accounts.models import User
    from sigap.reports.models import Report

    rng = random.Random(42)
    t0 = time.perf_counter()
    staff, admin, agencies = seed(rng)
    seed_s = time.perf_counter() - t0
    busiest = max(agencies, key=lambda a: Report.objects.filter(agency=a).count())
    dispatcher = staff[busiest.pk]["dispatcher"]
    from django.db.models import Count

    busiest_officer = (Report.objects.exclude(officer=None).values("officer")
                       .annotate(n=Count("pk")).order_by("-n").first())
    officer = User.objects.get(pk=busiest_officer["officer"])

    client = Client()
    results = []

    def page(label, user, url, rows):
        client.force_login(user)
        results.append((label, rows, measure(client, url)))

    agency_rows = Report.objects.filter(agency=busiest).count()
    page(f"inbox, dispatcher {busiest.code}, page 1", dispatcher, "/office/", agency_rows)
    page(f"inbox, dispatcher {busiest.code}, page 10", dispatcher, "/office/?page=10",
         agency_rows)
    page(f"inbox, dispatcher {busiest.code}, overdue only", dispatcher, "/office/?overdue=1",
         agency_rows)
    page("inbox, city admin, all agencies", admin, "/office/", REPORTS)
    from sigap.backoffice.access import my_tasks

    tasks = my_tasks(officer).count()
    page(f"task list, one officer ({tasks} tasks)", officer, "/office/tugas/", tasks)

    db = connection.vendor + (f" {connection.pg_version}" if connection.vendor == "postgresql"
                              else f" {connection.Database.sqlite_version}")
    print(f"# {REPORTS} open reports, {OFFICERS} officers, {len(agencies)} field agencies; "
          f"seeded in {seed_s:.1f} s")
    print(f"# {platform.machine()}, {os.cpu_count()} CPU, Python {platform.python_version()}, "
          f"Django {django.get_version()}, {db}, DEBUG={settings.DEBUG}, "
          f"{timezone.now():%Y-%m-%d}")
    print("| page | rows in scope | median ms | p95 ms | max ms | queries |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, rows, r in results:
        print(f"| {label} | {rows:,} | {r['median']:.1f} | {r['p95']:.1f} | {r['max']:.1f} "
              f"| {r['queries']} |")
    worst = max(r["p95"] for _, _, r in results)
    print(f"# worst p95: {worst:.1f} ms — target < 200 ms: {'met' if worst < 200 else 'MISSED'}")

    # The SLA poller over the same 10,000 open reports (notifications switched off here).
    from sigap.reports import services, sla

    services.outbox.kick = lambda *args, **kwargs: None
    start = time.perf_counter()
    first = sla.run_escalations(timezone.now(), limit=REPORTS)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    again = sla.run_escalations(timezone.now(), limit=REPORTS)
    again_s = time.perf_counter() - start
    print(f"# SLA poller: first pass {first_s:.2f} s ({len(first)} steps recorded); "
          f"next pass {again_s:.2f} s ({len(again)} steps)")


if __name__ == "__main__":
    main()
