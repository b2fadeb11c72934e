"""A discrete-event simulation of a city's year on Sigap's own rules (SimPy).

Each report is a SimPy process: it may first land on the wrong agency's desk (and be
reassigned), or on the triage desk (and be recategorised); the desk verifies it after a delay
that depends on the desk's shift; then the product's auto-assignment (or a dispatcher) gives
it to the kecamatan's team and the least-loaded officer on duty. Each officer is a SimPy
process that works shifts, travels between jobs at an urban speed and spends an on-site work
time drawn per category; a job may be handed back, and a resolved report may be reopened.

Every decision is the product's: `agencies.routing.route/pick_team/pick_officer`, the SLA
deadlines of `reports.services.due_times` on each agency's calendar, the escalation ladder
of `reports.sla`, and every status change through `reports.workflow.next_status` (a move the
state machine forbids raises, as it would in the product).

Dispatch follows the agency's `auto_assign` flag (the scenario may override it):
- on: at verification the report is assigned at once to the least-loaded officer on duty
  (a busy one if nobody is free: it waits in that officer's own queue). At the end of a shift
  the dispatcher hands the officer's untouched jobs to colleagues still on duty.
- off: the dispatcher keeps verified reports in the team's queue and gives the next one to
  an officer as soon as one is free (the least-loaded on duty among the free ones).
"""

from __future__ import annotations

import heapq
import math
import random
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable

import simpy

from sigap.agencies import routing
from sigap.capacity.rules import CityRules
from sigap.capacity.scenario import DeskShift, Scenario, Shift, WorkTime
from sigap.lib import workingtime
from sigap.reports import lifecycle, sla, workflow
from sigap.reports.services import REJECT_REASONS

A, R, S = workflow.Action, workflow.Role, workflow.Status


# Reasons the desk rejects a report for (reports.services.REJECT_REASONS codes).
REJECT_CODES = ("spam", "insufficient_info", "private_property", "already_handled")
# A report made within this many hours of an open one of the same category in the same
# kecamatan may be the same problem: the desk marks it a duplicate (at the `duplicate` rate).
DUPLICATE_WINDOW_HOURS = 72.0


class ForbiddenMove(Exception):
    """The simulation asked for a move the product's state machine forbids."""


def _unit_draw(work: WorkTime, rng: random.Random) -> float:
    """Return one on-site work time in hours."""
    mean = work.mean_hours
    if mean <= 0 or work.dist == "fixed":
        return max(mean, 0.0)
    if work.dist == "exponential":
        return rng.expovariate(1 / mean)
    if work.dist == "uniform":
        return rng.uniform(work.low, work.high)
    if work.cv <= 0:
        return mean
    if work.dist == "gamma":
        shape = 1 / work.cv ** 2
        return rng.gammavariate(shape, mean / shape)
    return _lognormal(mean, work.cv, rng)


def _lognormal(mean: float, cv: float, rng: random.Random) -> float:
    """Return a lognormal draw with the given mean and coefficient of variation."""
    if mean <= 0:
        return 0.0
    if cv <= 0:
        return mean
    sigma2 = math.log(1 + cv ** 2)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the great-circle distance between two (lat, lng) points in km."""
    lat1, lng1 = map(math.radians, a)
    lat2, lng2 = map(math.radians, b)
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def ceil_minute(t: datetime) -> datetime:
    floor = t.replace(second=0, microsecond=0)
    return floor if floor == t else floor + timedelta(minutes=1)


# The report's own fields, named as on reports.Report: only reports.lifecycle changes them
# (and the SLA ladder its two levels).
REPORT_FIELDS = (
    "status", "category_id", "agency_id", "team_id", "officer_id", "priority",
    "response_due_at", "due_at", "first_response_at", "verified_at", "assigned_at",
    "started_at", "resolved_at", "closed_at", "escalation_level", "response_escalation_level",
    "created_at", "updated_at", "reject_reason", "status_note", "sla_paused_at",
    "duplicate_of_id")


class SimReport:
    """One report: its fields as the product keeps them (REPORT_FIELDS, moved only by the
    lifecycle kernel) and what the simulation measures (hours since the start)."""

    __slots__ = REPORT_FIELDS + (
        "seq", "category", "origin_category", "agency", "wrong_agency", "kecamatan",
        "kelurahan", "loc", "created", "started", "resolved", "final", "officer", "team",
        "handbacks", "reopens", "rejected", "reassigned", "triaged", "work_hours",
        "lead_hours", "desk_draw", "will_handback", "will_reopen", "reopen_draw",
        "may_duplicate", "duplicate_of", "close_draw", "events", "level_since", "ladder",
        "field_hours")

    def __init__(self, seq: int):
        self.seq = seq
        self.status = S.SUBMITTED
        for name in REPORT_FIELDS[1:]:
            setattr(self, name, None)
        self.escalation_level = self.response_escalation_level = 0
        self.reject_reason = self.status_note = ""
        self.started = self.resolved = self.final = None
        self.officer = self.team = self.wrong_agency = self.duplicate_of = None
        self.handbacks = self.reopens = 0
        self.field_hours = 0.0  # travelling and on site, every visit
        self.reassigned = self.triaged = self.may_duplicate = False
        self.events = None  # the trace (a list) when the simulation keeps one
        self.level_since = None
        self.ladder = {}


@dataclass
class Officer:
    id: int
    key: tuple[str, int]  # (agency code, number within the agency from 1): its account
    agency: str
    team: "Team"
    base: tuple[float, float]
    schedule: list[tuple[float, float]]
    pos: tuple[float, float] = (0.0, 0.0)
    queue: deque = field(default_factory=deque)
    busy: bool = False
    on_duty: bool = False
    wake: object = None
    busy_hours: float = 0.0
    duty_hours: float = 0.0
    jobs: int = 0
    began: float = 0.0

    @property
    def load(self) -> int:
        return len(self.queue) + self.busy


class Pending:
    """A team's queue of reports waiting for an officer (FIFO or by category priority)."""

    def __init__(self, by_priority: bool):
        self.by_priority = by_priority
        self.items: list | deque = [] if by_priority else deque()

    def push(self, report: SimReport) -> None:
        if self.by_priority:
            heapq.heappush(self.items, (report.priority, report.seq, report))
        else:
            self.items.append(report)

    def first(self) -> SimReport:
        return self.items[0][2] if self.by_priority else self.items[0]

    def pop(self) -> SimReport:
        return heapq.heappop(self.items)[2] if self.by_priority else self.items.popleft()

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class Team:
    id: int
    code: str
    agency: str
    officers: list[Officer]
    pending: Pending
    kecamatan: tuple[str, ...] = ()


@dataclass(frozen=True)
class Timeline:
    """Converts between instants and simulation hours."""

    t0: datetime
    tz: object

    def dt(self, hours: float) -> datetime:
        return self.t0 + timedelta(hours=hours)

    def hours(self, at: datetime) -> float:
        return (at - self.t0).total_seconds() / 3600


def shift_intervals(shift: Shift, timeline: Timeline, horizon: float,
                    works_on: Callable[[date], bool]) -> list[tuple[float, float]]:
    """Return the (start, end) hours of every occurrence of `shift` in [0, horizon)."""
    if shift.always:
        return [(0.0, horizon)]
    out = []
    first = timeline.t0.astimezone(timeline.tz).date() - timedelta(days=1)
    for k in range(int(horizon // 24) + 3):
        day = first + timedelta(days=k)
        if not works_on(day):
            continue
        start = datetime.combine(day, shift.start, timeline.tz)
        end_day = day + timedelta(days=1) if shift.end <= shift.start else day
        end = datetime.combine(end_day, shift.end, timeline.tz)
        a, b = max(timeline.hours(start), 0.0), min(timeline.hours(end), horizon)
        if b > a:
            out.append((a, b))
    return out


def desk_intervals(shifts: Iterable[DeskShift], timeline: Timeline,
                   horizon: float) -> list[tuple[float, float, float]]:
    """Return the desk's staffed (start, end, mean delay hours) periods, sorted."""
    out = []
    for desk in shifts:
        for a, b in shift_intervals(Shift(desk.start, desk.end), timeline, horizon,
                                    lambda _day: True):
            out.append((a, b, desk.mean_minutes / 60))
    out.sort()
    return out


@dataclass
class Run:
    """What a simulation produced: every report's journey and every officer's hours."""

    scenario: Scenario
    seed: int
    timeline: Timeline
    year_hours: float
    horizon: float
    reports: list[SimReport]
    officers: list[Officer]
    backlog: list[tuple[float, dict[str, int]]]  # (hour, open reports per agency)
    escalations: list[int]  # the ladder level each report had reached (parallel to reports)
    unroutable: int
    teams: list[Team] = field(default_factory=list)

    @property
    def cut(self) -> datetime:
        """The instant the run stops: figures are read as they stand then."""
        return self.timeline.dt(self.horizon)


class Simulation:
    def __init__(self, rules: CityRules, scenario: Scenario, arrivals: Iterable, *, seed: int,
                 only_agency: str | None = None,
                 progress: Callable[[float], None] | None = None,
                 window: tuple[datetime, datetime] | None = None, trace: bool = False):
        """`window`: simulate reports made in [start, end) and stop at `end` (a replay of a
        period, or the demo year up to today); default: the scenario's year, then its
        drain days. `trace`: keep every report's events (the demo year is written from
        them)."""
        self.rules, self.scenario, self.seed = rules, scenario, seed
        self.only_agency = only_agency
        self.progress = progress
        self.trace = trace
        self.rng = random.Random(seed * 7919 + 17)
        tz = rules.city.tz
        if window is None:
            t0 = datetime(scenario.year, 1, 1, tzinfo=tz).astimezone(timezone.utc)
            t1 = datetime(scenario.year + 1, 1, 1, tzinfo=tz)
        else:
            t0, t1 = window
        self.timeline = Timeline(t0=t0, tz=tz)
        self.year_hours = self.timeline.hours(t1)
        self.horizon = self.year_hours + (24 * scenario.drain_days if window is None else 0)
        self.cut = self.timeline.dt(self.horizon)
        self.env = simpy.Environment()
        self.open: dict[str, int] = {}
        self.backlog: list = []
        self.unroutable = 0
        self._holidays = workingtime.indonesian_holidays(
            range(t0.year - 1, self.cut.year + 2))
        self.desks = {code: desk_intervals(scenario.desk_for(code), self.timeline, self.horizon)
                      for code in rules.agencies}
        self.desk_ends = {code: [b for _a, b, _m in rows] for code, rows in self.desks.items()}
        self.teams: dict[str, dict[int, Team]] = {}
        self.team_options: dict[str, list[routing.TeamOption]] = {}
        self.officers: list[Officer] = []
        self.recent: dict[tuple, deque] = {}
        self._build_teams()
        self.reports = self._prepare(arrivals)

    # --- set-up ---------------------------------------------------------------------------

    def _build_teams(self) -> None:
        next_id = 1
        schedules: dict = {}
        for code, plan in self.scenario.agencies.items():
            if code not in self.rules.agencies:
                continue
            if self.only_agency and code != self.only_agency:
                continue
            teams: dict[int, Team] = {}
            options = []
            serial = 0
            for team_plan in plan.teams:
                team_id = len(self.teams) * 1000 + len(teams) + 1
                kec = [self.rules.kecamatan[k] for k in team_plan.kecamatan
                       if k in self.rules.kecamatan]
                base = ((sum(k[1] for k in kec) / len(kec), sum(k[2] for k in kec) / len(kec))
                        if kec else self.rules.center)
                team = Team(team_id, team_plan.code, code, [],
                            Pending(self.scenario.queue == "priority"), team_plan.kecamatan)
                picks = _spread(team_plan.officers, [share for _s, share in plan.shifts])
                for shift_index in picks:
                    shift = plan.shifts[shift_index][0]
                    offset = serial % 7
                    serial += 1
                    key = (shift, offset if not shift.always else 0, plan.days_off,
                           plan.holidays_off)
                    if key not in schedules:
                        schedules[key] = shift_intervals(
                            shift, self.timeline, self.horizon,
                            self._works_on(offset, plan.days_off, plan.holidays_off))
                    officer = Officer(next_id, (code, serial), code, team, base,
                                      schedules[key], pos=base)
                    next_id += 1
                    team.officers.append(officer)
                    self.officers.append(officer)
                teams[team_id] = team
                options.append(routing.TeamOption(team_id, frozenset(k[0] for k in kec)))
            self.teams[code] = teams
            self.team_options[code] = options

    def _works_on(self, offset: int, days_off: int, holidays_off: bool):
        off = {(offset + k) % 7 for k in range(days_off)}
        holidays = self._holidays

        def works(day: date) -> bool:
            return day.weekday() not in off and not (holidays_off and day in holidays)

        return works

    def _prepare(self, arrivals: Iterable) -> list[SimReport]:
        """Turn arrivals into reports with their own random draws, so runs that differ only
        in officers see the same citizens, the same desk and the same jobs."""
        rng = random.Random(self.seed)
        rates = self.scenario.rates
        field_codes = [c for c, cat in self.rules.categories.items()
                       if cat.is_active and cat.agency.is_field_agency]
        other_agencies = [a for a in self.rules.agencies.values() if a.is_field_agency]
        out = []
        for seq, arrival in enumerate(arrivals):
            created = self.timeline.hours(arrival.at)
            if not 0 <= created < self.year_hours:
                continue
            r = SimReport(seq)
            r.created = created
            r.created_at = r.updated_at = arrival.at
            r.origin_category = r.category = arrival.category
            r.kecamatan = self.rules.kecamatan.get(arrival.kecamatan, (None,))[0]
            r.kelurahan = getattr(arrival, "kelurahan", "")
            r.loc = (arrival.lat, arrival.lng)
            first = self.rules.route(arrival.category)
            if first is not None and not first.is_field_agency and field_codes:
                # The triage desk recategorises; the field categories' mix decides into what.
                r.triaged = True
                r.category = rng.choice(field_codes)
            r.rejected = rng.random() < rates.reject
            wrong = rng.random() < rates.reassign
            r.will_handback = rng.random() < rates.handback
            r.will_reopen = rng.random() < rates.reopen
            r.reopen_draw = rng.expovariate(1 / rates.reopen_after_hours) \
                if rates.reopen_after_hours > 0 else 0.0
            r.desk_draw = (rng.expovariate(1.0), rng.expovariate(1.0), rng.expovariate(1.0))
            work = self.scenario.work_for(r.category)
            r.work_hours = _unit_draw(work, rng)
            r.may_duplicate = rng.random() < rates.duplicate
            r.close_draw = (rng.random(), rng.lognormvariate(0.0, 0.8))
            r.lead_hours = _lognormal(work.lead_hours, work.lead_cv, rng)
            r.agency = self.rules.route(r.category)
            if self.only_agency and (r.agency is None or r.agency.code != self.only_agency):
                continue
            if r.triaged:
                r.wrong_agency = first  # the triage desk acts first
            elif wrong and len(other_agencies) > 1 and r.agency is not None:
                r.wrong_agency = rng.choice([a for a in other_agencies if a.pk != r.agency.pk])
            origin = self.rules.categories.get(r.origin_category)
            r.category_id = origin.pk if origin is not None else None
            cat = self.rules.categories.get(r.category)
            r.priority = (1 if cat.is_emergency else cat.priority) if cat is not None else 3
            if self.trace:
                r.events = []
            out.append(r)
        out.sort(key=lambda r: r.created)
        return out

    # --- the one way a report changes: the lifecycle kernel ---------------------------------

    def _move(self, r: SimReport, action: str, role: str, fields: dict | None = None, *,
              actor=None, data: dict | None = None, is_public: bool = True) -> None:
        at = self.timeline.dt(self.env.now)
        if self.trace:
            self._escalate(r, at)
        try:
            step = lifecycle.apply(r, action, role, at, fields)
        except workflow.TransitionError as exc:
            raise ForbiddenMove(f"{r.status} --{action} ({role})--> ?: {exc.message}") from exc
        if self.trace:
            r.events.append((step["at"], step["kind"], action, step["old"], step["new"], role,
                             step["agency_id"], actor, is_public, data or {}))

    def _escalate(self, r: SimReport, until: datetime) -> None:
        """Record the ladder steps (reports.sla) the minute poller would have taken on both
        deadlines since the report's last change, up to `until`."""
        since, r.level_since = r.level_since, until
        if since is None or r.status not in workflow.OPEN:
            return
        for deadline in sla.DEADLINES:
            due, level = getattr(r, deadline.due_field), getattr(r, deadline.level_field)
            if due is None or level >= sla.MAX_LEVEL:
                continue
            if deadline is sla.RESPONSE and r.first_response_at is not None:
                continue
            key = (due, r.agency_id)
            cached = r.ladder.get(deadline.name)
            if cached is None or cached[0] != key:
                category = self.rules.category_by_pk[r.category_id]
                hours = getattr(category, deadline.hours_field.split("__", 1)[1])
                cached = r.ladder[deadline.name] = (key, sla.thresholds(
                    due, hours, self.rules.calendar(self.rules.agency_by_pk[r.agency_id], due)))
            thresholds = cached[1]
            for step, when in ((sla.REMINDER, thresholds.reminder_at),
                               (sla.HEAD, thresholds.head_at), (sla.ADMIN, thresholds.admin_at)):
                if step <= level:
                    continue
                fire = ceil_minute(max(when, since + timedelta(microseconds=1)))
                if fire >= until or fire >= self.cut:
                    break
                target = thresholds.level_at(fire)
                for lvl, kind in sla.steps_between(level, target):
                    r.events.append((fire, kind, "", str(lvl - 1), str(lvl), R.SYSTEM,
                                     r.agency_id, None, False,
                                     {"level": lvl, "deadline": deadline.name,
                                      "due_at": due.isoformat()}))
                level = target
                setattr(r, deadline.level_field, target)

    # --- the simulated world ----------------------------------------------------------------

    def run(self) -> Run:
        env = self.env
        env.process(self._arrivals())
        env.process(self._sampler())
        for officer in self.officers:
            env.process(self._officer(officer))
        env.run(until=self.horizon)
        for officer in self.officers:
            if officer.on_duty:  # the last shift, still open when the run stops
                officer.duty_hours += self.horizon - officer.began
        if self.trace:
            for r in self.reports:
                if r.level_since is not None:
                    self._escalate(r, self.cut)
        escalations = [self._escalation(r) for r in self.reports]
        teams = [t for by_id in self.teams.values() for t in by_id.values()]
        return Run(self.scenario, self.seed, self.timeline, self.year_hours, self.horizon,
                   self.reports, self.officers, self.backlog, escalations, self.unroutable,
                   teams)

    def _arrivals(self):
        env = self.env
        for r in self.reports:
            if r.created > env.now:
                yield env.timeout(r.created - env.now)
            if r.agency is None:
                self.unroutable += 1
                continue
            env.process(self._life(r))

    def _sampler(self):
        """Count open reports once a day at local noon (midnight would miss the day's)."""
        env = self.env
        day = 0
        yield env.timeout(12)
        while env.now < self.horizon:
            self.backlog.append((env.now, dict(self.open)))
            if self.progress is not None and day % 7 == 0:
                self.progress(min(1.0, env.now / self.horizon))
            day += 1
            yield env.timeout(24)

    def _desk_delay(self, agency: str, now: float, draw: float) -> float:
        """Return how long the agency's desk takes to act on a report arriving at `now`."""
        rows = self.desks[agency]
        i = bisect_right(self.desk_ends[agency], now)
        if i >= len(rows):
            return self.horizon  # no staffed desk left in the horizon
        start, _end, mean = rows[i]
        return max(start - now, 0.0) + draw * mean

    def _due(self, category: str, agency, hours: float):
        return self.rules.due_times(category, agency, self.timeline.dt(hours))

    def _life(self, r: SimReport):
        env = self.env
        origin = r.wrong_agency or r.agency
        r.agency_id = origin.pk
        r.level_since = r.created_at
        self.open[r.agency.code] = self.open.get(r.agency.code, 0) + 1
        r.response_due_at, r.due_at = self._due(r.origin_category, origin, r.created)
        key = (r.category, r.kecamatan)
        recent = self.recent.setdefault(key, deque())
        if r.wrong_agency is not None:
            yield env.timeout(self._desk_delay(origin.code, env.now, r.desk_draw[2]))
            if r.triaged:  # recategorised: the new category's deadlines from now
                cat = self.rules.categories[r.category]
                self._move(r, A.RECATEGORISE, R.DISPATCHER, lifecycle.recategorise_fields(
                    cat.pk, r.agency.pk, r.priority, *self._due(r.category, r.agency, env.now)),
                    data={"from": r.origin_category, "to": r.category,
                          "from_agency": origin.code, "agency": r.agency.code})
            else:
                self._move(r, A.REASSIGN, R.DISPATCHER, lifecycle.reassign_fields(
                    r.agency.pk, self._due(r.category, r.agency, env.now)[0]),
                    data={"to": r.agency.code})
                r.reassigned = True
        yield env.timeout(self._desk_delay(r.agency.code, env.now, r.desk_draw[0]))
        kept = self._earlier_open(recent, r) if r.may_duplicate else None
        recent.append(r)
        if kept is not None:
            r.duplicate_of = kept
            self._move(r, A.MARK_DUPLICATE, R.DISPATCHER, lifecycle.duplicate_fields(
                None, ""), data={"of": kept.seq})
            self.open[r.agency.code] -= 1
            return
        if r.rejected:
            code = REJECT_CODES[r.seq % len(REJECT_CODES)]
            self._move(r, A.REJECT, R.DISPATCHER, lifecycle.reject_fields(
                str(REJECT_REASONS[code])), data={"reason": code})
            self.open[r.agency.code] -= 1
            return
        self._move(r, A.VERIFY, R.DISPATCHER)
        if r.lead_hours > 0:  # waiting for materials or equipment before anyone can go
            yield env.timeout(r.lead_hours)
        self._ready(r)

    def _earlier_open(self, recent: deque, r: SimReport) -> SimReport | None:
        """The newest report of the same category and kecamatan made in the last
        DUPLICATE_WINDOW_HOURS that is not closed: the one this report repeats."""
        while recent and recent[0].created < r.created - DUPLICATE_WINDOW_HOURS:
            recent.popleft()
        return next((x for x in reversed(recent) if x.status not in workflow.FINAL), None)

    def _ready(self, r: SimReport) -> None:
        """Give a report that needs an officer to its team (and an officer, if one fits)."""
        code = r.agency.code
        team_id = routing.pick_team(self.team_options.get(code, ()), r.kecamatan)
        if team_id is None:
            return  # the agency has no team: the report stays open (and late)
        team = self.teams[code][team_id]
        r.team = team
        if r.agency.auto_assign:
            officer = self._least_loaded(team)
            self._assign(r, team, officer, R.SYSTEM)
            if officer is None:
                team.pending.push(r)  # assigned to the team only; a dispatcher will pick
        else:
            team.pending.push(r)
            self._dispatch_free(team)

    def _assign(self, r: SimReport, team: Team, officer: Officer | None, role: str) -> None:
        self._move(r, A.ASSIGN, role, lifecycle.assign_fields(
            team.id, officer.id if officer else None),
            data={"team": team.id, "officer": officer.id if officer else None})
        if officer is not None:
            self._give(officer, r)

    def _give(self, officer: Officer, r: SimReport) -> None:
        r.officer = officer
        officer.queue.append(r)
        if officer.wake is not None and not officer.wake.triggered:
            officer.wake.succeed()

    def _least_loaded(self, team: Team, *, free_only: bool = False) -> Officer | None:
        officer_id = routing.pick_officer(
            routing.OfficerLoad(o.id, o.load, o.on_duty) for o in team.officers)
        if officer_id is None:
            return None
        officer = next(o for o in team.officers if o.id == officer_id)
        if free_only and officer.load:
            return None
        return officer

    def _dispatch_free(self, team: Team) -> None:
        """The dispatcher gives queued reports to free officers on duty (auto-assign off)."""
        while len(team.pending):
            officer = self._least_loaded(team, free_only=True)
            if officer is None:
                return
            self._assign(team.pending.pop(), team, officer, R.DISPATCHER)

    def _drain_pending(self, team: Team) -> None:
        """Auto-assign on: reports assigned to the team only get officers on duty now."""
        while len(team.pending):
            officer = self._least_loaded(team)
            if officer is None:
                return
            self._assign(team.pending.pop(), team, officer, R.DISPATCHER)

    def _officer(self, o: Officer):
        env = self.env
        auto = self.rules.agencies[o.agency].auto_assign
        for start, end in o.schedule:
            if env.now < start:
                yield env.timeout(start - env.now)
            if env.now >= end:
                continue
            began = o.began = env.now
            o.on_duty = True
            o.pos = o.base
            if auto:
                self._drain_pending(o.team)
            else:
                self._dispatch_free(o.team)
            while env.now < end:
                if o.queue:
                    r = o.queue.popleft()
                    o.busy = True
                    yield from self._job(o, r)
                    o.busy = False
                    if not auto:
                        self._dispatch_free(o.team)
                    continue
                o.wake = env.event()
                yield o.wake | env.timeout(end - env.now)
                o.wake = None
            o.on_duty = False
            o.duty_hours += env.now - began
            if o.queue:  # hand untouched jobs to colleagues on duty
                left, o.queue = list(o.queue), deque()
                for r in left:
                    r.officer = None
                    if auto:
                        other = self._least_loaded(o.team)
                        self._assign(r, o.team, other, R.DISPATCHER)
                        if other is None:
                            o.team.pending.push(r)
                    else:
                        o.team.pending.push(r)
                if not auto:
                    self._dispatch_free(o.team)

    def _job(self, o: Officer, r: SimReport):
        env = self.env
        self._move(r, A.START, R.OFFICER, actor=o.key)
        if r.started is None:
            r.started = env.now
        travel = 0.0
        if self.scenario.travel_kmh > 0:
            travel = distance_km(o.pos, r.loc) * self.scenario.detour / self.scenario.travel_kmh
        handback = r.will_handback and r.handbacks == 0
        work = r.work_hours * (0.5 if handback else 1.0)
        yield env.timeout(travel + work)
        o.busy_hours += travel + work
        r.field_hours += travel + work
        o.jobs += 1
        o.pos = r.loc
        r.officer = None
        if handback:
            self._move(r, A.HANDBACK, R.OFFICER, lifecycle.handback_fields(), actor=o.key,
                       is_public=False)
            r.handbacks += 1
            env.process(self._after_handback(r))
            return
        self._move(r, A.RESOLVE, R.OFFICER, lifecycle.resolve_fields(""), actor=o.key)
        if r.resolved is None:
            r.resolved = env.now
        r.final = env.now
        self.open[r.agency.code] -= 1
        if r.will_reopen and r.reopens == 0:
            env.process(self._reopen(r))
        else:
            env.process(self._close(r))

    def _after_handback(self, r: SimReport):
        yield self.env.timeout(self._desk_delay(r.agency.code, self.env.now, r.desk_draw[1]))
        self._ready(r)

    def _reopen(self, r: SimReport):
        env = self.env
        yield env.timeout(r.reopen_draw)
        self._move(r, A.REOPEN, R.REPORTER, lifecycle.reopen_fields(
            self._due(r.category, r.agency, env.now)[1]))
        r.reopens += 1
        r.final = None
        self.open[r.agency.code] += 1
        yield env.timeout(self._desk_delay(r.agency.code, env.now, r.desk_draw[1]))
        self._ready(r)

    def _close(self, r: SimReport):
        """After a resolution: the reporter confirms it, the desk closes it some days later,
        or it stays resolved."""
        rates, (choice, spread) = self.scenario.rates, r.close_draw
        if choice < rates.confirm:
            yield self.env.timeout(rates.confirm_after_hours * spread)
            role = R.REPORTER
        elif choice < rates.confirm + rates.desk_close:
            yield self.env.timeout(rates.desk_close_after_hours * spread)
            role = R.DISPATCHER
        else:
            return
        if r.status == S.RESOLVED:
            self._move(r, A.CLOSE, role)

    def _escalation(self, r: SimReport) -> int:
        """Return the escalation level the product's ladder gave the report by its first
        resolution (or by the end of the run, if never resolved)."""
        if r.agency is None or r.rejected or r.first_response_at is None or r.due_at is None:
            return 0
        at = r.resolved if r.resolved is not None else self.horizon
        return self.rules.escalation_level(r.category, r.agency, r.due_at,
                                           self.timeline.dt(at))


def _spread(n: int, shares: list[float]) -> list[int]:
    """Return n shift indexes in the given proportions (largest remainder), interleaved."""
    total = sum(shares) or 1.0
    exact = [n * s / total for s in shares]
    counts = [int(x) for x in exact]
    for i in sorted(range(len(shares)), key=lambda i: counts[i] - exact[i])[: n - sum(counts)]:
        counts[i] += 1
    out = []
    for i, c in enumerate(counts):
        out += [i] * c
    return out


def simulate(rules: CityRules, scenario: Scenario, arrivals: Iterable, *, seed: int = 1,
             only_agency: str | None = None, progress=None, window=None,
             trace: bool = False) -> Run:
    """Return one simulated year (see the module's docstring and Simulation)."""
    return Simulation(rules, scenario, arrivals, seed=seed, only_agency=only_agency,
                      progress=progress, window=window, trace=trace).run()
