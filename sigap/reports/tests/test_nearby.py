"""The newest reports in a circle: same answer as a full scan, bounded work."""

import math
import random
from datetime import timedelta

import pytest

from sigap.reports import nearby
from sigap.reports.models import Report, new_tracking_key
from sigap.reports.workflow import Status

pytestmark = pytest.mark.django_db

HOT = (-10.17, 123.60)


@pytest.fixture
def bulk(kupang, category, now):
    """Insert reports at (lat, lng, minutes ago) quickly, as bench/seed.py does."""
    cat = category("SAMPAH")
    made = [0]

    def insert(points):
        reports = []
        for lat, lng, minutes in points:
            at = now - timedelta(minutes=minutes)
            report = Report(
                city=kupang, ticket=f"KPG-2026-T{made[0]:07d}", tracking_key=new_tracking_key(),
                category=cat, description="uji", lat=lat, lng=lng, status=Status.SUBMITTED,
                priority=3, agency=cat.agency, source="web", created_at=at, updated_at=at,
                due_at=at + timedelta(days=3), response_due_at=at + timedelta(days=1),
                is_public=True)
            report.place_cells()
            reports.append(report)
            made[0] += 1
        Report.objects.bulk_create(reports)

    return insert


def around(rng, n, spread_m, *, days=60, whole_minutes=False):
    points = []
    for _ in range(n):
        d, a = abs(rng.gauss(0, spread_m)), rng.uniform(0, 2 * math.pi)
        lat = HOT[0] + d * math.cos(a) / 111_320
        lng = HOT[1] + d * math.sin(a) / (111_320 * math.cos(math.radians(HOT[0])))
        minutes = rng.uniform(0, days * 24 * 60)
        points.append((lat, lng, round(minutes) if whole_minutes else minutes))
    return points


def full_scan(lat, lng, radius, count):
    from django.db.models import F, FloatField
    from django.db.models.functions import Cast

    from sigap.lib.geo import EARTH_RADIUS_M

    k = math.cos(math.radians(lat))
    r_deg = math.degrees(radius / EARTH_RADIUS_M)
    qs = Report.objects.alias(d2=Cast((F("lat") - lat) * (F("lat") - lat)
                                      + (F("lng") - lng) * (F("lng") - lng) * (k * k),
                                      FloatField())).filter(d2__lte=r_deg * r_deg)
    return list(qs.order_by("-created_at", "-pk").values_list("pk", flat=True)[:count])


def test_it_answers_as_a_full_scan_would(bulk):
    rng = random.Random(11)
    # Whole minutes: many reports share a created_at, so the id tie-break is exercised too.
    bulk(around(rng, 700, 1500, whole_minutes=True) + around(rng, 200, 20000, days=10))
    for radius in (0, 40, 300, 500, 1199, 1201, 3000, 20000):
        for count in (1, 7, 101, 1000):
            for lat, lng in (HOT, (-10.165, 123.61), (-10.2, 123.55)):
                expected = full_scan(lat, lng, radius, count)
                assert nearby.newest_within(Report.objects.all(), lat, lng, radius,
                                            count=count) == expected, (radius, count, lat)


def test_it_keeps_the_other_filters(bulk, now):
    rng = random.Random(3)
    bulk(around(rng, 300, 400))
    since = now - timedelta(days=20)
    qs = Report.objects.filter(created_at__gte=since)
    ids = nearby.newest_within(qs, *HOT, 500, count=1000)
    assert ids and len(ids) == len(set(ids))
    assert all(r.created_at >= since for r in Report.objects.filter(pk__in=ids))
    assert ids == [pk for pk in full_scan(*HOT, 500, 1000)
                   if Report.objects.get(pk=pk).created_at >= since]


def test_it_reads_about_a_page_whatever_the_density(bulk):
    rng = random.Random(5)
    reads = []
    for _ in range(3):
        bulk(around(rng, 1500, 500))  # 1,500, then 3,000, then 4,500 reports close by
        stats = {}
        ids = nearby.newest_within(Report.objects.all(), *HOT, 500, count=101, stats=stats)
        assert len(ids) == 101
        reads.append(stats["rows"])
    # A full scan would read thousands, growing with each batch; this reads a bounded number.
    print("rows read", reads)
    assert max(reads) < 2000, reads
    assert max(reads) <= 1.25 * min(reads), reads


def test_it_covers_the_circle_with_cells_that_touch_it():
    import h3

    rng = random.Random(9)
    for radius in (10, 500, 1200, 5000):
        res, cells = nearby.covering_cells(*HOT, radius)
        for _ in range(300):
            d, a = rng.uniform(0, radius), rng.uniform(0, 2 * math.pi)
            lat = HOT[0] + d * math.cos(a) / 111_320
            lng = HOT[1] + d * math.sin(a) / (111_320 * math.cos(math.radians(HOT[0])))
            assert h3.str_to_int(h3.latlng_to_cell(lat, lng, res)) in cells
        assert len(cells) <= 40, (radius, len(cells))


def test_it_reads_a_cell_from_its_index_alone(kupang, now):
    from django.db import connection

    qs = Report.objects.public().filter(
        h3_r8=nearby.cells_of(*HOT)["h3_r8"], created_at__gte=now - timedelta(days=90)
    ).order_by("-created_at", "-pk").values_list("created_at", "pk", "lat", "lng")[:101]
    plan = qs.explain()
    assert "report_r8_created" in plan
    if connection.vendor == "sqlite":
        assert "COVERING INDEX report_r8_created" in plan, plan
