"""The story check: shares read from the database, and the differences beyond tolerance."""

import random
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from sigap.capacity import citymodel as demand
from sigap.demo import story


def test_differences_lists_only_the_shares_beyond_the_tolerance():
    a = {"category": {"SAMPAH": 0.20, "MACET": 0.80}, "month": {"1": 1.0}}
    b = {"category": {"SAMPAH": 0.205, "MACET": 0.795}, "month": {"1": 0.9, "2": 0.1}}
    assert story.differences(a, b, {"category": 0.01}) == []
    got = story.differences(a, b, {"category": 0.01, "month": 0.05})
    assert got == ["month 1: 1.0000 against 0.9000 (tolerance 0.05)",
                   "month 2: 0.0000 against 0.1000 (tolerance 0.05)"]


@pytest.mark.django_db
def test_shape_counts_the_reports_of_the_city(kupang, make_report):
    wita = ZoneInfo("Asia/Makassar")
    make_report("SAMPAH", at=datetime(2026, 1, 31, 23, 30, tzinfo=wita))  # still January
    make_report("SAMPAH", at=datetime(2026, 2, 1, 0, 30, tzinfo=wita))
    make_report("MACET", at=datetime(2026, 2, 2, 9, 0, tzinfo=wita))
    make_report("MACET", lat=-10.1716, lng=123.6711, at=datetime(2026, 2, 3, tzinfo=wita))
    got = story.shape(kupang)
    assert got["category"] == {"MACET": 0.5, "SAMPAH": 0.5}
    assert got["month"] == {"1": 0.25, "2": 0.75}
    assert got["status"] == {"submitted": 1.0}
    assert set(got["kelurahan"].values()) == {0.75, 0.25}


@pytest.mark.slow
@pytest.mark.django_db
def test_a_million_arrivals_tell_the_story_of_thirty_thousand(kupang):
    model = demand.model_for_city(kupang)
    wita = ZoneInfo("Asia/Makassar")
    start, end = datetime(2025, 1, 1, tzinfo=wita), datetime(2026, 1, 1, tzinfo=wita)

    def shares(total):
        got = demand.arrivals(model, start=start, end=end, total=total, rng=random.Random(1))
        out = {}
        for part, key in (("category", lambda a: a.category),
                          ("month", lambda a: str(a.at.astimezone(wita).month)),
                          ("kelurahan", lambda a: a.kelurahan)):
            counts = Counter(key(a) for a in got)
            out[part] = {k: n / total for k, n in counts.items()}
        return out

    tolerance = {k: story.TOLERANCE[k] for k in ("category", "month", "kelurahan")}
    assert story.differences(shares(30_000), shares(1_000_000), tolerance) == []
