"""The statistics' rules against values worked out by hand (no database)."""

from datetime import datetime, timedelta, timezone

from sigap.dashboard import stats

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=timezone.utc)


def test_it_takes_the_middle_value_or_the_mean_of_the_two_middle_ones():
    assert stats.median([5, 1, 3]) == 3
    assert stats.median([4, 1, 3, 2]) == 2.5
    assert stats.median([]) is None


def test_it_takes_the_nearest_rank_percentile():
    values = list(range(1, 21))  # 1..20: rank ceil(0.9 × 20) = 18
    assert stats.percentile(values, 90) == 18
    assert stats.percentile([7, 3, 9], 90) == 9  # rank ceil(2.7) = 3
    assert stats.percentile([7, 3, 9], 50) == 7  # rank ceil(1.5) = 2 → 7
    assert stats.percentile([4], 90) == 4


def test_it_shows_too_few_below_the_minimum_sample():
    nine = stats.times([1.0] * 9)
    assert nine.too_few and nine.median is None and nine.p90 is None and nine.n == 9
    ten = stats.times([float(h) for h in range(1, 11)])
    assert not ten.too_few and ten.median == 5.5 and ten.p90 == 9
    assert stats.Rate(9, 9).too_few and stats.Rate(9, 9).percent is None
    assert stats.Rate(0, 9).value is None  # never "0 %" over nine reports
    assert stats.Rate(3, 12).percent == 25 and not stats.Rate(3, 12).too_few


def test_it_separates_fixed_from_closed():
    now = T0 + timedelta(days=30)
    kw = {"paused": False, "reassigned": False, "now": now, "resolved_at": T0}
    assert stats.outcome(status="closed", closed_by="reporter", **kw) == stats.FIXED_CONFIRMED
    assert stats.outcome(status="closed", closed_by="system", **kw) == stats.FIXED_NO_REPLY
    for desk in ("dispatcher", "head", "admin", None):
        assert stats.outcome(status="closed", closed_by=desk, **kw) == stats.CLOSED_UNCONFIRMED


def test_it_counts_a_resolved_report_as_fixed_only_after_the_confirmation_window():
    kw = {"status": "resolved", "closed_by": None, "paused": False, "reassigned": False}
    six_days = T0 + timedelta(days=6, hours=23)
    seven_days = T0 + timedelta(days=7)
    assert stats.outcome(resolved_at=T0, now=six_days, **kw) == stats.AWAITING_CONFIRMATION
    assert stats.outcome(resolved_at=T0, now=seven_days, **kw) == stats.FIXED_NO_REPLY


def test_it_shows_waiting_reports_as_waiting():
    kw = {"closed_by": None, "resolved_at": None, "now": T0}
    assert stats.outcome(status="in_progress", paused=True, reassigned=False, **kw) \
        == stats.WAITING_CITIZEN
    assert stats.outcome(status="submitted", paused=False, reassigned=True, **kw) \
        == stats.WAITING_OTHER_AGENCY
    assert stats.outcome(status="submitted", paused=False, reassigned=False, **kw) \
        == stats.NOT_HANDLED
    assert stats.outcome(status="assigned", paused=False, reassigned=True, **kw) \
        == stats.IN_WORK
    assert stats.outcome(status="rejected", paused=False, reassigned=False, **kw) \
        == stats.REJECTED


def test_it_judges_a_deadline_met_breached_or_pending():
    due = T0 + timedelta(hours=24)
    assert stats.sla_state(done_at=due, due_at=due, paused=False, now=T0) == "met"
    assert stats.sla_state(done_at=due + timedelta(seconds=1), due_at=due, paused=False,
                           now=T0) == "breached"
    assert stats.sla_state(done_at=None, due_at=due, paused=False,
                           now=due + timedelta(hours=1)) == "breached"
    assert stats.sla_state(done_at=None, due_at=due, paused=True,
                           now=due + timedelta(hours=1)) == "pending"
    assert stats.sla_state(done_at=None, due_at=due, paused=False, now=T0) == "pending"
    assert stats.sla_state(done_at=None, due_at=None, paused=False, now=T0) is None
    result = stats.count_sla(["met", "met", "met", "breached", "pending", None])
    assert (result.met, result.breached, result.pending) == (3, 1, 1)
    assert result.rate(min_sample=4).value == 0.75


def test_it_projects_the_year_with_an_interval():
    # 20 days alternating 8 and 12 reports: mean 10, each 2 off it: variance 20 × 4 / 19.
    daily = [8, 12] * 10
    p = stats.project_year(daily, days_in_year=365)
    assert p.so_far == 200 and p.days_elapsed == 20
    assert p.expected == 200 + 10 * 345  # 3650
    var = 80 / 19
    half = 1.96 * (345 * var + 345 ** 2 * var / 20) ** 0.5  # 1.96 × √26,511 = 319.1
    assert p.low == round(3650 - half) == 3331
    assert p.high == round(3650 + half) == 3969


def test_it_does_not_project_from_too_few_days():
    p = stats.project_year([10] * 13, days_in_year=365)
    assert p.too_few and p.so_far == 130 and p.expected is None


def test_the_projection_never_falls_below_what_was_received():
    p = stats.project_year([0] * 30 + [300], days_in_year=32)
    assert p.low >= p.so_far == 300


def _s(place, cat, day, ref=None):
    return stats.Sighting(place=place, category=cat, at=T0 + timedelta(days=day), ref=ref)


def test_it_finds_a_category_that_keeps_coming_back_to_a_place():
    sightings = [
        _s("A", 1, 0, "a1"), _s("A", 1, 80, "a2"), _s("A", 1, 170, "a3"),  # gaps 80, 90
        _s("A", 2, 1), _s("A", 2, 2),  # another category, only twice
        _s("B", 1, 0), _s("B", 1, 10), _s("B", 1, 101),  # gap 91 breaks the chain
        _s("C", 1, 0), _s("C", 1, 1), _s("C", 1, 2), _s("C", 1, 3),
        _s("C", 1, 200), _s("C", 1, 201), _s("C", 1, 202),  # two chains after a silence
        _s("", 1, 0), _s("", 1, 1), _s("", 1, 2),  # no place: never a hotspot
    ]
    found = stats.hotspots(sightings)
    assert [(h.place, h.category, h.count) for h in found] == [
        ("C", 1, 4), ("C", 1, 3), ("A", 1, 3)]
    a = found[2]
    assert [s.ref for s in a.sightings] == ["a1", "a2", "a3"]
    assert a.first == T0 and a.last == T0 + timedelta(days=170)


def test_it_buckets_the_backlog_by_age():
    assert stats.age_bucket(timedelta(days=2, hours=23)) == "0–3"
    assert stats.age_bucket(timedelta(days=3)) == "3–7"
    assert stats.age_bucket(timedelta(days=29)) == "7–30"
    assert stats.age_bucket(timedelta(days=400)) == "> 30"


def test_it_scales_per_thousand_residents():
    assert stats.per_thousand(50, 25_000) == 2.0
    assert stats.per_thousand(50, None) is None
