"""Seed N synthetic reports fast (bulk inserts), for benchmarks only.

Usage: DATABASE_URL=... python bench/seed.py N [--hot LAT,LNG] [--city CODE]

--city: the city whose reports these are (default kupang; its ticket prefix). Tickets are
numbered from 0 for each city, so seeding several cities' reports into one database works.

Every run seeds the same "hot spot": 200 recent reports within 400 m of LAT,LNG, so a
radius query there returns the same first page whatever the table size; the other N-200
reports are spread over the city's kelurahan and over the past year (some fall near the hot
spot too, as they would in a real city).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from sigap.agencies.models import Category  # noqa: E402
from sigap.cities.models import Area, City  # noqa: E402
from sigap.reports.models import Report, TicketSequence, new_tracking_key  # noqa: E402
from sigap.reports.workflow import Status  # noqa: E402

STATUSES = [Status.SUBMITTED, Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS,
            Status.RESOLVED, Status.CLOSED]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int)
    parser.add_argument("--hot", default="-10.17,123.60")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--city", default="kupang")
    args = parser.parse_args()
    hot_lat, hot_lng = map(float, args.hot.split(","))
    rng = random.Random(7)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    city = City.objects.get(code=args.city)
    cats = list(Category.objects.filter(city=city, is_sensitive=False).select_related("agency"))
    kel = list(Area.objects.filter(city=city, level="kelurahan")
               .values_list("pk", "parent_id", "centroid_lat", "centroid_lng"))
    hot_area = min(kel, key=lambda k: (k[2] - hot_lat) ** 2 + (k[3] - hot_lng) ** 2)
    year = now.year
    start = time.perf_counter()

    def make(i):
        if i < 200:
            angle, dist = rng.uniform(0, 2 * math.pi), rng.uniform(0, 400)
            lat = hot_lat + dist * math.cos(angle) / 111_320
            lng = hot_lng + dist * math.sin(angle) / (111_320 * math.cos(math.radians(hot_lat)))
            area = hot_area
            created = now - timedelta(minutes=rng.uniform(1, 30 * 24 * 60))
        else:
            area = kel[rng.randrange(len(kel))]
            lat = area[2] + rng.gauss(0, 0.004)
            lng = area[3] + rng.gauss(0, 0.004)
            created = now - timedelta(minutes=rng.uniform(1, 365 * 24 * 60))
        cat = cats[i % len(cats)]
        report = Report(
            city=city, ticket=f"{city.ticket_prefix}-{year}-B{i:08d}",
            tracking_key=new_tracking_key(),
            category=cat, description=f"Laporan uji {i}", lat=lat, lng=lng,
            kelurahan_id=area[0], kecamatan_id=area[1],
            status=STATUSES[i % len(STATUSES)],
            priority=cat.priority, agency=cat.agency, source="web", created_at=created,
            updated_at=created, due_at=created + timedelta(hours=72),
            response_due_at=created + timedelta(hours=24), is_public=True)
        report.place_cells()
        return report

    done = 0
    while done < args.n:
        chunk = [make(i) for i in range(done, min(done + args.batch, args.n))]
        with transaction.atomic():
            Report.objects.bulk_create(chunk)
        done += len(chunk)
    TicketSequence.objects.update_or_create(city=city, year=year, defaults={"last": 0})
    # Leave the database as a long-running one would be: statistics gathered, PostgreSQL's
    # table vacuumed (visibility map set, so autovacuum does not start during the measurement
    # and index-only scans skip the table), SQLite's write-ahead log folded back in.
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM (ANALYZE) reports_report")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    print(f"seeded {args.n} reports in {time.perf_counter() - start:.1f}s")


if __name__ == "__main__":
    main()
