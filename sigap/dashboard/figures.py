"""The dashboard's figures for one scope: database rows in, plain numbers out.

`Facts` is one report as the statistics see it (stats.outcome, the two SLA states, the two
durations). Every figure on the page is a count or a statistic over a subset of the scope's
facts, and every subset has a name (`matches`), so a number links to exactly the reports
behind it: the drill-down list selects with the same predicate the figure counted with.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import h3
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate

from sigap.dashboard import stats
from sigap.dashboard.scope import Scope, open_now, received, rows
from sigap.lib import text


@dataclass(frozen=True)
class Facts:
    id: int
    ticket: str
    created_at: datetime
    category_id: int
    agency_id: int
    team_id: int | None
    kecamatan_id: int | None
    kelurahan_id: int | None
    source: str
    status: str
    outcome: str
    response_h: float | None
    resolution_h: float | None
    response_sla: str | None
    resolution_sla: str | None
    reopened: bool
    ever_resolved: bool
    rating: int | None
    place: str
    week: date
    age: str  # backlog ageing bucket at `now` (stats.age_bucket)

    @property
    def valid(self) -> bool:
        return self.outcome not in (stats.REJECTED, stats.DUPLICATE)


def week_of(at: datetime, tz) -> date:
    """Return the Monday (city's local calendar) of the week `at` falls in."""
    day = at.astimezone(tz).date()
    return day - timedelta(days=day.weekday())


def facts_of(row: dict, *, now: datetime, tz) -> Facts:
    paused = row["sla_paused_at"] is not None
    valid_work = row["status"] not in ("rejected", "duplicate")
    return Facts(
        id=row["id"], ticket=row["ticket"], created_at=row["created_at"],
        category_id=row["category_id"], agency_id=row["agency_id"], team_id=row["team_id"],
        kecamatan_id=row["kecamatan_id"], kelurahan_id=row["kelurahan_id"],
        source=row["source"], status=row["status"],
        outcome=stats.outcome(status=row["status"], closed_by=row["closed_by"],
                              resolved_at=row["resolved_at"], paused=paused,
                              reassigned=bool(row["reassigned"]), now=now),
        response_h=stats.hours(row["created_at"], row["first_response_at"]),
        resolution_h=stats.hours(row["created_at"], row["resolved_at"]),
        response_sla=stats.sla_state(done_at=row["first_response_at"],
                                     due_at=row["response_due_at"], paused=paused, now=now)
        if valid_work else None,
        resolution_sla=stats.sla_state(done_at=row["resolved_at"], due_at=row["due_at"],
                                       paused=paused, now=now) if valid_work else None,
        reopened=bool(row["reopened"]),
        ever_resolved=row["resolved_at"] is not None or bool(row["reopened"]),
        rating=row["rating"], place=row["h3_cell"] or "",
        week=week_of(row["created_at"], tz),
        age=stats.age_bucket(now - row["created_at"]),
    )


def load(scope: Scope, *, now: datetime) -> list[Facts]:
    """Return the facts of the reports received in the scope."""
    return load_from(received(scope), scope, now=now)


def load_from(qs, scope: Scope, *, now: datetime) -> list[Facts]:
    return [facts_of(r, now=now, tz=scope.tz) for r in rows(qs)]


# --- Named subsets: what each number counts ------------------------------------------------

DIMENSIONS = {"category": "category_id", "agency": "agency_id", "team": "team_id",
              "kecamatan": "kecamatan_id", "kelurahan": "kelurahan_id", "source": "source"}


def _in_hex(place: str, cell: str) -> bool:
    """Return whether the report's H3 cell lies in the (coarser) cell `cell`."""
    try:
        return bool(place) and h3.cell_to_parent(place, h3.get_resolution(cell)) == cell
    except (ValueError, h3.H3BaseException):
        return False


def _sla_is(state: str | None, value: str) -> bool:
    """"decided": the reports an on-time rate is taken over (met or breached)."""
    return state in ("met", "breached") if value == "decided" else state == value


def _dimension(attr: str):
    return lambda f, v: str(getattr(f, attr)) == v


SUBSETS = {
    "all": lambda f, v: True,
    "valid": lambda f, v: f.valid,
    "outcome": lambda f, v: f.outcome == v,
    "fixed": lambda f, v: f.outcome in stats.FIXED,
    "open": lambda f, v: f.outcome in stats.OPEN_OUTCOMES,
    "responded": lambda f, v: f.valid and f.response_h is not None,
    "resolved": lambda f, v: f.valid and f.resolution_h is not None,
    "sla_response": lambda f, v: _sla_is(f.response_sla, v),
    "sla_resolution": lambda f, v: _sla_is(f.resolution_sla, v),
    "reopened": lambda f, v: f.valid and f.reopened,
    "ever_resolved": lambda f, v: f.valid and f.ever_resolved,
    "rated": lambda f, v: f.rating is not None,
    "satisfied": lambda f, v: f.rating is not None and f.rating >= stats.SATISFIED_FROM,
    "week": lambda f, v: f.week.isoformat() == v,
    "place": lambda f, v: f.place == v,
    "hex": lambda f, v: _in_hex(f.place, v),
    "age": lambda f, v: f.age == v,
    **{name: _dimension(attr) for name, attr in DIMENSIONS.items()},
}


def matches(facts: Facts, subset: str, value: str = "") -> bool:
    """Return whether a report belongs to the named subset (KeyError if unknown).

    A subset may be narrowed by a second one: "category=3" within "fixed" is written
    subset "fixed", value "" and the caller applies both."""
    return SUBSETS[subset](facts, value)


_FIELD_OF = {name: attr for name, attr in DIMENSIONS.items()}


def narrow(qs, pairs: list[tuple[str, str]], tz):
    """Return `qs` narrowed in SQL by the subsets that are plain columns (a category, a
    kelurahan, a week, a place...), so that a list loads only the rows that may belong;
    `select` then applies every rule, these included, in Python."""
    for name, value in pairs:
        if name in _FIELD_OF:
            attr = _FIELD_OF[name]
            if value in ("None", ""):
                qs = qs.filter(**{f"{attr}__isnull": True}) if attr != "source" else qs
            elif attr == "source":
                qs = qs.filter(**{attr: value})
            elif text.as_id(value) is not None:
                qs = qs.filter(**{attr: text.as_id(value)})
        elif name == "week":
            try:
                monday = date.fromisoformat(value)
            except ValueError:
                continue
            start = datetime.combine(monday, datetime.min.time(), tzinfo=tz)
            qs = qs.filter(created_at__gte=start, created_at__lt=start + timedelta(days=7))
        elif name == "place" and value:
            qs = qs.filter(h3_cell=value)
    return qs


def select(all_facts: list[Facts], pairs: list[tuple[str, str]]) -> list[Facts]:
    """Return the facts that belong to every (subset, value) pair."""
    return [f for f in all_facts if all(matches(f, s, v) for s, v in pairs)]


# --- Summaries ----------------------------------------------------------------------------

@dataclass
class Summary:
    received: int
    valid: int
    outcomes: dict[str, int]
    fixed: stats.Rate
    response: stats.Times
    resolution: stats.Times
    sla_response: stats.SlaResult
    sla_resolution: stats.SlaResult
    reopen: stats.Rate
    satisfaction: stats.Rate
    min_sample: int = stats.MIN_SAMPLE

    @property
    def sla_response_rate(self) -> stats.Rate:
        return self.sla_response.rate(self.min_sample)

    @property
    def sla_resolution_rate(self) -> stats.Rate:
        return self.sla_resolution.rate(self.min_sample)

    @property
    def fixed_count(self) -> int:
        return self.fixed.part

    @property
    def open_count(self) -> int:
        return sum(self.outcomes[o] for o in stats.OPEN_OUTCOMES)


def summarise(facts: list[Facts], *, min_sample: int = stats.MIN_SAMPLE) -> Summary:
    """Return the headline figures of these reports (rates and times over fewer than
    `min_sample` reports are "too few")."""
    valid = [f for f in facts if f.valid]
    m = min_sample
    outcomes = Counter(f.outcome for f in facts)
    return Summary(
        received=len(facts), valid=len(valid),
        outcomes={o: outcomes.get(o, 0) for o in stats.OUTCOMES},
        fixed=stats.Rate(sum(1 for f in valid if f.outcome in stats.FIXED), len(valid), m),
        response=stats.times([f.response_h for f in valid if f.response_h is not None],
                             min_sample=m),
        resolution=stats.times([f.resolution_h for f in valid if f.resolution_h is not None],
                               min_sample=m),
        sla_response=stats.count_sla(f.response_sla for f in valid),
        sla_resolution=stats.count_sla(f.resolution_sla for f in valid),
        reopen=stats.Rate(sum(1 for f in valid if f.reopened),
                          sum(1 for f in valid if f.ever_resolved), m),
        satisfaction=stats.Rate(
            sum(1 for f in facts if f.rating is not None and f.rating >= stats.SATISFIED_FROM),
            sum(1 for f in facts if f.rating is not None), m),
        min_sample=m,
    )


@dataclass
class LeagueRow:
    key: object
    summary: Summary


def league(facts: list[Facts], dimension: str, *,
           min_sample: int = stats.MIN_SAMPLE) -> list[LeagueRow]:
    """Return one summary per value of `dimension`, the largest volume first. Teams rank
    only the reports that reached a team (one still at the agency's desk, rejected there or
    merged as a duplicate was nobody's field work)."""
    groups: dict[object, list[Facts]] = defaultdict(list)
    attr = DIMENSIONS[dimension]
    for f in facts:
        key = getattr(f, attr)
        if key is None and dimension == "team":
            continue
        groups[key].append(f)
    out = [LeagueRow(key, summarise(items, min_sample=min_sample))
           for key, items in groups.items()]
    out.sort(key=lambda r: (-r.summary.received, str(r.key)))
    return out


def weekly(facts: list[Facts], scope: Scope) -> list[tuple[date, int, int]]:
    """Return (Monday, received, of which fixed) for every week of the period, empty ones
    included (a quiet week is a figure too)."""
    received_by = Counter(f.week for f in facts)
    fixed_by = Counter(f.week for f in facts if f.outcome in stats.FIXED)
    first = scope.start - timedelta(days=scope.start.weekday())
    out = []
    week = first
    while week <= scope.end:
        out.append((week, received_by.get(week, 0), fixed_by.get(week, 0)))
        week += timedelta(days=7)
    return out


def partial_week(week: date, scope: Scope) -> bool:
    """Return whether the scope covers only part of the week starting on Monday `week` (the
    first and last weeks of a period, the current week): its count is not a whole week's."""
    return week < scope.start or week + timedelta(days=6) > scope.end


def hotspots(facts: list[Facts]) -> list[stats.Hotspot]:
    return stats.hotspots(
        stats.Sighting(place=f.place, category=f.category_id, at=f.created_at, ref=f)
        for f in facts if f.valid)


@dataclass
class Backlog:
    total: int
    by_age: list[tuple[str, int]]
    by_outcome: dict[str, int]


def backlog(scope: Scope, *, now: datetime) -> Backlog:
    """Return the reports of the scope's place and agency open now (whenever received),
    by age and by what they wait for: one aggregate query, the same rules as stats.outcome
    and stats.age_bucket (test_figures checks both agree with the drill-down lists)."""
    # Imported when called, to keep this module's import light (read at import by views).
    from sigap.reports.models import ReportEvent

    qs = open_now(scope).annotate(reassigned=Exists(ReportEvent.objects.filter(
        report=OuterRef("pk"), action="reassign")))
    paused = Q(sla_paused_at__isnull=False)
    counts = {
        stats.WAITING_CITIZEN: Count("pk", filter=paused),
        stats.WAITING_OTHER_AGENCY: Count("pk", filter=~paused & Q(status="submitted",
                                                                     reassigned=True)),
        stats.NOT_HANDLED: Count("pk", filter=~paused & Q(status="submitted",
                                                            reassigned=False)),
        stats.IN_WORK: Count("pk", filter=~paused & ~Q(status="submitted")),
    }
    edges = []
    lower = None
    for i, (limit, label) in enumerate(stats.AGE_BUCKETS):
        # age < limit days  <=>  created_at > now - limit days
        q = Q()
        if limit is not None:
            q &= Q(created_at__gt=now - timedelta(days=limit))
        if lower is not None:
            q &= Q(created_at__lte=now - timedelta(days=lower))
        counts[f"age{i}"] = Count("pk", filter=q)
        edges.append(label)
        lower = limit
    got = qs.order_by().aggregate(total=Count("pk"), **counts)
    return Backlog(got["total"], [(label, got[f"age{i}"]) for i, label in enumerate(edges)],
                   {o: got[o] for o in sorted(stats.OPEN_OUTCOMES)})


def open_facts(scope: Scope, *, now: datetime) -> list[Facts]:
    """Return the facts of the reports open now in the scope's place (for their lists)."""
    return load_from(open_now(scope), scope, now=now)


# --- Progress towards the city's yearly targets ---------------------------------------------

def _daily(qs, field_name: str, tz, start: date, today: date) -> list[int]:
    counts = dict(qs.annotate(d=TruncDate(field_name, tzinfo=tz)).order_by()
                  .values("d").annotate(n=Count("pk")).values_list("d", "n"))
    days = (today - start).days + 1
    return [counts.get(start + timedelta(days=i), 0) for i in range(days)]


@dataclass
class TargetProgress:
    target: int
    current: int
    projection: stats.Projection

    @property
    def percent(self) -> int | None:
        return round(self.current * 100 / self.target) if self.target else None


def targets(city, *, today: date, reports_target: int, users_target: int):
    """Return progress towards the yearly report target and the citizen-user target."""
    # Imported when called, to keep this module's import light (read at import by views).
    from sigap.accounts.models import Role as AccountRole, User
    from sigap.reports.models import Report

    tz = city.tz
    jan1 = date(today.year, 1, 1)
    start_at = datetime(today.year, 1, 1, tzinfo=tz)
    end_at = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    days_in_year = (date(today.year + 1, 1, 1) - jan1).days
    daily_reports = _daily(Report.objects.filter(city=city, created_at__gte=start_at,
                                                 created_at__lt=end_at),
                           "created_at", tz, jan1, today)
    reports = TargetProgress(reports_target, sum(daily_reports),
                             stats.project_year(daily_reports, days_in_year=days_in_year))
    citizens = User.objects.filter(role=AccountRole.CITIZEN, is_active=True)
    before = citizens.filter(date_joined__lt=start_at).count()
    daily_users = _daily(citizens.filter(date_joined__gte=start_at, date_joined__lt=end_at),
                         "date_joined", tz, jan1, today)
    p = stats.project_year(daily_users, days_in_year=days_in_year)
    shifted = stats.Projection(
        before + p.so_far, None if p.expected is None else before + p.expected,
        None if p.low is None else before + p.low, None if p.high is None else before + p.high,
        p.days_elapsed, p.days_in_year)
    users = TargetProgress(users_target, before + sum(daily_users), shifted)
    return reports, users


# --- The provincial roll-up (dashboard:province) -------------------------------------------

@dataclass(frozen=True)
class ProvinceRow:
    """One city's year to date beside the others (or the province's total: city None)."""

    city: object
    received: int
    per_1000: float | None
    valid: int
    fixed: stats.Rate
    sla_response: stats.Rate
    sla_resolution: stats.Rate
    resolution_median_h: float | None
    satisfaction: stats.Rate
    open_count: int
    population: int | None
    at: datetime | None = None


def province_row(city, summary: Summary, population: int | None, *, at=None) -> ProvinceRow:
    return ProvinceRow(
        city=city, received=summary.received,
        per_1000=stats.per_thousand(summary.received, population), valid=summary.valid,
        fixed=summary.fixed, sla_response=summary.sla_response_rate,
        sla_resolution=summary.sla_resolution_rate,
        resolution_median_h=summary.resolution.median, satisfaction=summary.satisfaction,
        open_count=summary.open_count, population=population, at=at)


def _sum_rates(rates: list[stats.Rate]) -> stats.Rate:
    return stats.Rate(sum(r.part for r in rates), sum(r.whole for r in rates),
                      rates[0].min_sample if rates else stats.MIN_SAMPLE)


def province_total(rows: list[ProvinceRow]) -> ProvinceRow | None:
    """Return the province's row: counts added up, shares recomputed from the added parts
    and wholes (never an average of the cities' percentages); no median (medians do not
    add up), no population unless every city has one."""
    if not rows:
        return None
    people = [r.population for r in rows]
    population = sum(people) if all(p for p in people) else None
    received = sum(r.received for r in rows)
    return ProvinceRow(
        city=None, received=received, per_1000=stats.per_thousand(received, population),
        valid=sum(r.valid for r in rows), fixed=_sum_rates([r.fixed for r in rows]),
        sla_response=_sum_rates([r.sla_response for r in rows]),
        sla_resolution=_sum_rates([r.sla_resolution for r in rows]),
        resolution_median_h=None, satisfaction=_sum_rates([r.satisfaction for r in rows]),
        open_count=sum(r.open_count for r in rows), population=population)
