"""The one `nearby()` (sigap.reports.queries): the reports around a point, nearest first."""

import math
from datetime import timedelta

import pytest

from sigap.reports import queries, visibility
from sigap.reports.models import Report, new_tracking_key
from sigap.reports.workflow import Status

pytestmark = pytest.mark.django_db

HERE = (-10.17, 123.60)
METRE_LAT = 1 / 111_195  # degrees of latitude in a metre


def north(metres: float) -> tuple[float, float]:
    return HERE[0] + metres * METRE_LAT, HERE[1]


def east(metres: float) -> tuple[float, float]:
    return HERE[0], HERE[1] + metres * METRE_LAT / math.cos(math.radians(HERE[0]))


@pytest.fixture
def put(kupang, category, now):
    """Insert a report at a point (quickly, as bench/seed.py does); return it."""
    made = [0]

    def insert(point, code="SAMPAH", status=Status.SUBMITTED, is_public=True, minutes=0):
        cat = category(code)
        at = now - timedelta(minutes=minutes)
        made[0] += 1
        report = Report(
            city=kupang, ticket=f"KPG-2026-Q{made[0]:07d}", tracking_key=new_tracking_key(),
            category=cat, description="uji", lat=point[0], lng=point[1], status=status,
            priority=3, agency=cat.agency, source="web", created_at=at, updated_at=at,
            due_at=at + timedelta(days=3), response_due_at=at + timedelta(days=1),
            is_public=is_public)
        report.place_cells()
        report.save()
        return report

    return insert


def tickets(found):
    return [r.ticket for _d, r in found]


def test_it_ranks_the_reports_in_the_circle_nearest_first(kupang, put):
    far = put(north(80))
    near = put(east(20))
    middle = put(north(-50))
    put(north(130))  # outside the circle
    put((north(71)[0], east(71)[1]))  # in the box's corner, 100.4 m away
    found = queries.nearby(kupang, *HERE, radius_m=100, limit=10)
    assert tickets(found) == [near.ticket, middle.ticket, far.ticket]
    assert [round(d) for d, _r in found] == [20, 50, 80]


def test_it_finds_the_nearest_among_many_in_the_box(kupang, put):
    """The copies it replaces read the box's first 50 rows in no order, then sorted them."""
    for i in range(60):
        put(north(60 + i * 0.5))
    nearest = put(east(5))
    found = queries.nearby(kupang, *HERE, radius_m=100, limit=3)
    assert tickets(found)[0] == nearest.ticket
    assert len(found) == 3


def test_it_filters_by_category_status_time_and_the_public(kupang, put, category, now):
    garbage = put(north(10))
    put(north(20), code="LALIN_RUSAK")
    put(north(30), status=Status.CLOSED)
    put(north(40), is_public=False)
    put(north(50), status=Status.REJECTED)
    old = put(north(60), minutes=600)
    assert tickets(queries.nearby(kupang, *HERE, radius_m=100, limit=10,
                                  categories=[category("SAMPAH")])) == [garbage.ticket,
                                                                         old.ticket]
    assert tickets(queries.nearby(kupang, *HERE, radius_m=100, limit=10,
                                  categories=[category("SAMPAH")],
                                  since=now - timedelta(hours=1))) == [garbage.ticket]
    every_status = queries.nearby(kupang, *HERE, radius_m=100, limit=10, statuses=None)
    assert len(every_status) == 4  # closed too; never the confidential or the rejected one


def test_it_shows_staff_what_their_office_sees(kupang, put, make_user, category):
    hidden = put(north(10), is_public=False)
    dispatcher = make_user("dispatcher", agency=category("SAMPAH").agency)
    assert queries.nearby(kupang, *HERE, radius_m=100, limit=5) == []
    found = queries.nearby(kupang, *HERE, radius_m=100, limit=5,
                           among=visibility.office_reports(dispatcher))
    assert tickets(found) == [hidden.ticket]


def test_it_reads_in_one_query(kupang, put, django_assert_num_queries):
    for metres in (10, 20, 30):
        put(north(metres))
    with django_assert_num_queries(1):
        found = queries.nearby(kupang, *HERE, radius_m=100, limit=5)
        [r.category.name for _d, r in found]
    assert len(found) == 3
