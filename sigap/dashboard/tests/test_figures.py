"""Every figure of the small fixed history (conftest.history) against values worked out by
hand, on whichever database this leg runs (SQLite, PostgreSQL).

    R1 fixed, confirmed      response 2 h   resolution 30 h (due 72: met)   5 stars
    R2 closed by the agency  response 4 h   resolution 80 h (breached)
    R3 resolved, no reply    response 6 h   resolution 50 h (met)
    R4 fixed after reopening response 30 h (breached), reopened at 70 h (new deadline
                             70 + 72 = 142 h), resolved again at 100 h (met)     2 stars
    R5 rejected, R6 duplicate of R1 (not valid reports: left out of rates and times)
    R7 waiting on the citizen (SLA paused)  response 10 h, resolution pending
    R8 handed over to PUPR, not taken up: no first response (breached), resolution breached
    R9 untouched: both deadlines breached
"""

from datetime import date, timedelta

import pytest

from sigap.dashboard import figures, stats
from sigap.dashboard.scope import Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def scope(kupang):
    return Scope(city_id=kupang.pk, tz=kupang.tz, start=date(2026, 1, 1),
                 end=date(2026, 11, 2))


@pytest.fixture
def facts(history, scope, now):
    return figures.load(scope, now=now)


def test_it_counts_what_became_of_each_report(facts):
    by_ticket = {f.ticket: f.outcome for f in facts}
    assert len(facts) == 9
    s = figures.summarise(facts, min_sample=3)
    assert s.received == 9 and s.valid == 7
    assert s.outcomes == {
        stats.FIXED_CONFIRMED: 2, stats.FIXED_NO_REPLY: 1, stats.AWAITING_CONFIRMATION: 0,
        stats.CLOSED_UNCONFIRMED: 1, stats.WAITING_CITIZEN: 1, stats.WAITING_OTHER_AGENCY: 1,
        stats.IN_WORK: 0, stats.NOT_HANDLED: 1, stats.REJECTED: 1, stats.DUPLICATE: 1}
    assert (s.fixed.part, s.fixed.whole) == (3, 7)  # R1, R3, R4 of the 7 valid
    assert len(set(by_ticket)) == 9


def test_it_takes_medians_and_p90_of_the_times(facts):
    s = figures.summarise(facts, min_sample=3)
    # responses [2, 4, 6, 10, 30]: median 6, p90 = rank ceil(4.5) = 5th = 30
    assert s.response.n == 5
    assert s.response.median == pytest.approx(6) and s.response.p90 == pytest.approx(30)
    # resolutions [30, 50, 80, 100]: median 65, p90 = rank ceil(3.6) = 4th = 100
    assert s.resolution.n == 4
    assert s.resolution.median == pytest.approx(65) and s.resolution.p90 == pytest.approx(100)


def test_it_measures_sla_compliance(facts):
    s = figures.summarise(facts, min_sample=3)
    # response: met R1 R2 R3 R7, breached R4 R8 R9
    assert (s.sla_response.met, s.sla_response.breached, s.sla_response.pending) == (4, 3, 0)
    # resolution: met R1 R3 R4, breached R2 R8 R9, pending R7 (paused)
    assert (s.sla_resolution.met, s.sla_resolution.breached,
            s.sla_resolution.pending) == (3, 3, 1)
    assert s.sla_resolution_rate.percent == 50


def test_it_measures_reopenings_and_satisfaction(facts):
    s = figures.summarise(facts, min_sample=2)
    assert (s.reopen.part, s.reopen.whole) == (1, 4)  # R4 of R1–R4, ever resolved
    assert (s.satisfaction.part, s.satisfaction.whole) == (1, 2)  # 5 stars yes, 2 stars no


def test_it_shows_too_few_with_the_city_minimum(facts):
    s = figures.summarise(facts)  # MIN_SAMPLE = 10 > 7 valid reports
    assert s.fixed.too_few and s.fixed.percent is None
    assert s.response.too_few and s.resolution.too_few
    assert s.sla_resolution_rate.value is None and s.reopen.value is None


def test_it_finds_the_recurring_spot(facts):
    [spot] = figures.hotspots(facts)
    assert spot.count == 7  # the valid reports, all at one place, days apart
    assert sorted(s.ref.ticket for s in spot.sightings) == sorted(
        f.ticket for f in facts if f.valid)


def test_it_ranks_agencies_in_the_league_table(facts, kupang):
    from sigap.agencies.models import Agency

    rows = figures.league(facts, "agency", min_sample=1)
    dlhk = Agency.objects.get(city=kupang, code="DLHK").pk
    pupr = Agency.objects.get(city=kupang, code="PUPR").pk
    assert [(r.key, r.summary.received) for r in rows] == [(dlhk, 8), (pupr, 1)]
    assert rows[1].summary.outcomes[stats.WAITING_OTHER_AGENCY] == 1


def test_the_weekly_trend_has_every_week(facts, scope):
    weeks = figures.weekly(facts, scope)
    assert weeks[0][0] == date(2025, 12, 29) and weeks[0][1] == 0
    assert (weeks[1][0], weeks[1][1]) == (date(2026, 1, 5), 7)  # 5–11 January: R1–R7
    assert (weeks[2][0], weeks[2][1]) == (date(2026, 1, 12), 2)  # R8, R9
    assert weeks[1][2] == 3  # of which fixed: R1, R3, R4
    assert sum(w[1] for w in weeks) == 9
    mondays = [w[0] for w in weeks]
    assert all(b - a == timedelta(days=7) for a, b in zip(mondays, mondays[1:], strict=False))


def test_the_backlog_is_what_is_open_now(history, scope, now):
    b = figures.backlog(scope, now=now)
    assert b.total == 3  # R7, R8, R9
    assert dict(b.by_age)["> 30"] == 3
    assert b.by_outcome == {stats.IN_WORK: 0, stats.NOT_HANDLED: 1,
                            stats.WAITING_CITIZEN: 1, stats.WAITING_OTHER_AGENCY: 1}
    # The database's count agrees with the rules the lists behind it select with.
    listed = figures.open_facts(scope, now=now)
    for label, n in b.by_age:
        assert len(figures.select(listed, [("age", label)])) == n
    for o, n in b.by_outcome.items():
        assert len(figures.select(listed, [("outcome", o)])) == n


def test_the_backlog_ages_at_each_edge(make_report, scope, now):
    for days in (0, 2.9, 3.1, 6.9, 7.1, 29.9, 30.1, 400):
        make_report(at=now - timedelta(days=days))
    b = figures.backlog(scope, now=now)
    # open now, whenever received: the one of 400 days ago counts too
    assert dict(b.by_age) == {"0–3": 2, "3–7": 2, "7–30": 2, "> 30": 2}
    listed = figures.open_facts(scope, now=now)
    for label, n in b.by_age:
        assert len(figures.select(listed, [("age", label)])) == n


def test_every_subset_selects_what_its_figure_counts(facts):
    s = figures.summarise(facts, min_sample=1)
    assert len(figures.select(facts, [("fixed", "")])) == s.fixed.part
    assert len(figures.select(facts, [("valid", "")])) == s.valid
    assert len(figures.select(facts, [("sla_resolution", "breached")])) \
        == s.sla_resolution.breached
    assert len(figures.select(facts, [("responded", "")])) == s.response.n
    assert len(figures.select(facts, [("reopened", "")])) == s.reopen.part
    assert len(figures.select(facts, [("satisfied", "")])) == s.satisfaction.part
    for o, n in s.outcomes.items():
        assert len(figures.select(facts, [("outcome", o)])) == n


def test_the_targets_project_the_year(history, kupang, make_user):
    from datetime import datetime, timezone

    make_user("citizen", date_joined=datetime(2025, 6, 1, tzinfo=timezone.utc))
    make_user("citizen", date_joined=datetime(2026, 3, 1, tzinfo=timezone.utc))
    make_user("officer", agency="DLHK", date_joined=datetime(2026, 3, 1, tzinfo=timezone.utc))
    reports, users = figures.targets(kupang, today=date(2026, 11, 2),
                                     reports_target=30000, users_target=22000)
    assert reports.current == 9 and reports.target == 30000
    # 306 days elapsed (1 January – 2 November), 9 reports: 9 + 9/306 × 59 days left ≈ 11
    assert reports.projection.days_elapsed == 306
    assert reports.projection.expected == round(9 + 9 / 306 * 59)
    assert reports.projection.low <= reports.projection.expected <= reports.projection.high
    assert users.current == 2  # citizens only: one joined last year, one this year
    assert users.projection.expected == round(2 + 1 / 306 * 59)


def test_narrowing_in_sql_keeps_exactly_the_reports_of_each_subset(facts, scope, now, kupang):
    from sigap.agencies.models import Agency
    from sigap.dashboard.scope import received

    pupr = Agency.objects.get(city=kupang, code="PUPR").pk
    f0 = facts[0]
    cases = [[("agency", str(pupr))], [("category", str(f0.category_id))],
             [("kelurahan", str(f0.kelurahan_id))], [("team", "None")],
             [("week", "2026-01-05")], [("place", f0.place), ("fixed", "")],
             [("source", "web")], [("outcome", stats.REJECTED)]]
    for pairs in cases:
        narrowed = figures.load_from(figures.narrow(received(scope), pairs, scope.tz), scope,
                                     now=now)
        assert sorted(f.id for f in figures.select(narrowed, pairs)) == sorted(
            f.id for f in figures.select(facts, pairs)), pairs
