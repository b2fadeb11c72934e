"""A capacity scenario: what the city controls, read from a TOML file (no database access).

A scenario says how many officers each agency has and in which teams, when they work, how
long the desk takes to verify, how long each kind of job takes on site, which SLAs apply
and how much demand to expect. Everything the product already knows (routing, calendars,
the escalation ladder, the state machine) comes from the product itself, not from here.
See data/kupang/capacity.toml for a commented example.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path

from django.utils.translation import gettext as _

DISTRIBUTIONS = ("exponential", "lognormal", "gamma", "fixed", "uniform")


class ScenarioError(ValueError):
    """The scenario file is malformed; the message says where."""


@dataclass(frozen=True)
class WorkTime:
    """On-site work time of one job, in hours."""

    dist: str = "lognormal"
    mean_hours: float = 1.0
    cv: float = 0.8  # coefficient of variation (lognormal, gamma)
    low: float = 0.0  # uniform bounds
    high: float = 0.0
    # Waiting before the work can start, with no officer busy: materials, heavy equipment,
    # another body's permit (lognormal, mean and coefficient of variation in hours).
    lead_hours: float = 0.0
    lead_cv: float = 1.0


@dataclass(frozen=True)
class Shift:
    start: time
    end: time  # an end at or before the start ends on the next day

    @property
    def always(self) -> bool:
        return self.start == self.end == time(0, 0)


ALWAYS = Shift(time(0, 0), time(0, 0))


@dataclass(frozen=True)
class DeskShift:
    """A staffed desk period (local time) and its mean verification delay."""

    start: time
    end: time
    mean_minutes: float

    @property
    def always(self) -> bool:
        return self.start == self.end == time(0, 0)


@dataclass(frozen=True)
class TeamPlan:
    code: str
    kecamatan: tuple[str, ...]  # Area codes; empty = the whole city
    officers: int


@dataclass(frozen=True)
class AgencyPlan:
    code: str
    teams: tuple[TeamPlan, ...]
    shifts: tuple[tuple[Shift, float], ...]  # (shift, share of officers)
    days_off: int = 1  # per week, rotating over the officers
    holidays_off: bool = False
    auto_assign: bool | None = None  # None: the agency's own setting in the database
    working_hours_only: bool | None = None  # None: the agency's own calendar
    desk: tuple[DeskShift, ...] = ()

    @property
    def officers(self) -> int:
        return sum(t.officers for t in self.teams)

    def with_officers(self, n: int) -> "AgencyPlan":
        """Return this plan with `n` officers spread over its teams in the same proportions
        (at least one per team while there are enough officers)."""
        total = self.officers or len(self.teams)
        weights = [(t.officers or 1) / total for t in self.teams]
        counts = [int(n * w) for w in weights]
        order = sorted(range(len(counts)), key=lambda i: -(n * weights[i] - counts[i]))
        for i in order[: n - sum(counts)]:
            counts[i] += 1
        return replace(self, teams=tuple(replace(t, officers=c)
                                         for t, c in zip(self.teams, counts, strict=True)))


@dataclass(frozen=True)
class Rates:
    reject: float = 0.05  # desk rejects (spam, outside the city's remit)
    reassign: float = 0.03  # first routed to the wrong agency's desk, sent on
    handback: float = 0.04  # the officer cannot finish; back to the desk
    reopen: float = 0.05  # the citizen reopens a resolved report
    reopen_after_hours: float = 48.0  # mean delay before a reopen
    duplicate: float = 0.04  # the desk marks it a duplicate of an open report nearby
    confirm: float = 0.55  # of the resolved: the reporter says it is fixed (closes it)
    confirm_after_hours: float = 20.0  # median delay before that answer
    desk_close: float = 0.30  # of the resolved: the desk closes it after a few days
    desk_close_after_hours: float = 120.0  # mean delay before the desk closes it


@dataclass(frozen=True)
class Scenario:
    name: str = "scenario"
    year: int = 2026
    reports: int = 30000
    growth: float = 1.0
    travel_kmh: float = 20.0
    detour: float = 1.3  # road distance over straight-line distance
    drain_days: int = 30  # keep simulating after the year so late reports can finish
    queue: str = "fifo"  # or "priority" (the category's priority first)
    agencies: dict[str, AgencyPlan] = field(default_factory=dict)
    desk: tuple[DeskShift, ...] = (DeskShift(time(0, 0), time(0, 0), 30.0),)
    work: dict[str, WorkTime] = field(default_factory=dict)
    default_work: WorkTime = WorkTime()
    sla: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    rates: Rates = Rates()
    source: str = ""  # the TOML text, kept so a run can be repeated

    @property
    def officers(self) -> int:
        return sum(a.officers for a in self.agencies.values())

    @property
    def yearly_total(self) -> int:
        return round(self.reports * self.growth)

    def work_for(self, category: str) -> WorkTime:
        return self.work.get(category, self.default_work)

    def desk_for(self, agency: str) -> tuple[DeskShift, ...]:
        plan = self.agencies.get(agency)
        return plan.desk if plan and plan.desk else self.desk

    def with_officers(self, agency: str, n: int) -> "Scenario":
        agencies = dict(self.agencies)
        agencies[agency] = agencies[agency].with_officers(n)
        return replace(self, agencies=agencies)


def _time(value, where: str) -> time:
    try:
        hh, mm = str(value).split(":")
        return time(int(hh) % 24, int(mm))
    except (ValueError, TypeError):
        raise ScenarioError(_("%(where)s: jam harus berbentuk JJ:MM, bukan %(value)r.")
                            % {"where": where, "value": value}) from None


def _number(table: dict, key: str, default, where: str, *, low=0.0, high=None, kind=float):
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(_("%(where)s.%(key)s harus berupa angka.")
                            % {"where": where, "key": key})
    if value < low or (high is not None and value > high):
        raise ScenarioError(_("%(where)s.%(key)s di luar rentang yang masuk akal: %(value)s.")
                            % {"where": where, "key": key, "value": value})
    return kind(value)


def _work(table: dict, where: str) -> WorkTime:
    dist = table.get("dist", "lognormal")
    if dist not in DISTRIBUTIONS:
        raise ScenarioError(_("%(where)s.dist harus salah satu dari %(choices)s.")
                            % {"where": where, "choices": ", ".join(DISTRIBUTIONS)})
    if dist == "uniform":
        low = _number(table, "low", 0.0, where)
        high = _number(table, "high", low, where, low=low)
        return WorkTime(dist=dist, mean_hours=(low + high) / 2, low=low, high=high)
    return WorkTime(dist=dist, mean_hours=_number(table, "mean_hours", 1.0, where, low=0.0),
                    cv=_number(table, "cv", 0.8, where, low=0.0, high=10.0),
                    lead_hours=_number(table, "lead_hours", 0.0, where),
                    lead_cv=_number(table, "lead_cv", 1.0, where, low=0.0, high=10.0))


def _desk(rows, where: str) -> tuple[DeskShift, ...]:
    if not isinstance(rows, list) or not rows:
        raise ScenarioError(_("%(where)s harus berupa daftar giliran meja.") % {"where": where})
    out = []
    for i, row in enumerate(rows):
        w = f"{where}[{i}]"
        out.append(DeskShift(_time(row.get("start", "00:00"), w), _time(row.get("end", "00:00"), w),
                             _number(row, "mean_minutes", 30.0, w)))
    return tuple(out)


def _agency(code: str, table: dict, shifts: dict[str, Shift]) -> AgencyPlan:
    where = f"agencies.{code}"
    teams = []
    for i, row in enumerate(table.get("teams", [])):
        w = f"{where}.teams[{i}]"
        kec = row.get("kecamatan", [])
        if not isinstance(kec, list):
            raise ScenarioError(_("%(where)s.kecamatan harus berupa daftar kode.") % {"where": w})
        teams.append(TeamPlan(code=str(row.get("code", f"tim-{i + 1}")),
                              kecamatan=tuple(str(k) for k in kec),
                              officers=_number(row, "officers", 0, w, kind=int)))
    if not teams:
        teams.append(TeamPlan(code="kota", kecamatan=(),
                              officers=_number(table, "officers", 0, where, kind=int)))
    shares = table.get("shifts", {"always": 1.0})
    if not isinstance(shares, dict) or not shares:
        raise ScenarioError(_("%(where)s.shifts harus berupa tabel nama giliran = porsi.")
                            % {"where": where})
    plan_shifts = []
    for name in shares:
        if name not in shifts:
            raise ScenarioError(_("%(where)s.shifts: giliran %(name)r tidak didefinisikan.")
                                % {"where": where, "name": name})
        plan_shifts.append((shifts[name], _number(shares, name, 0, f"{where}.shifts")))
    auto = table.get("auto_assign")
    office = table.get("working_hours_only")
    return AgencyPlan(
        code=code, teams=tuple(teams), shifts=tuple(plan_shifts),
        days_off=_number(table, "days_off", 1, where, high=6, kind=int),
        holidays_off=bool(table.get("holidays_off", False)),
        auto_assign=None if auto is None else bool(auto),
        working_hours_only=None if office is None else bool(office),
        desk=_desk(table["desk"], f"{where}.desk") if "desk" in table else ())


def parse(text: str) -> Scenario:
    """Return the scenario described by TOML `text`; raise ScenarioError when malformed."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(_("Berkas skenario bukan TOML yang sah: %(error)s")
                            % {"error": exc}) from None
    head = data.get("scenario", {})
    shifts = {"always": ALWAYS}
    for name, row in data.get("shifts", {}).items():
        shifts[name] = Shift(_time(row.get("start"), f"shifts.{name}"),
                             _time(row.get("end"), f"shifts.{name}"))
    work = {code: _work(row, f"work.{code}") for code, row in data.get("work", {}).items()
            if code != "default"}
    sla = {}
    for code, row in data.get("sla", {}).items():
        sla[code] = (
            _number(row, "response", 0, f"sla.{code}") if "response" in row else None,
            _number(row, "resolve", 0, f"sla.{code}") if "resolve" in row else None)
    rates_table = data.get("rates", {})
    rates = Rates(**{name: _number(rates_table, name, getattr(Rates(), name), "rates",
                                   high=None if name.endswith("_after_hours") else 1.0)
                     for name in Rates.__dataclass_fields__})
    queue = head.get("queue", "fifo")
    if queue not in ("fifo", "priority"):
        raise ScenarioError(_("scenario.queue harus fifo atau priority."))
    return Scenario(
        name=str(head.get("name", "scenario")),
        year=_number(head, "year", 2026, "scenario", low=1970, high=2100, kind=int),
        reports=_number(head, "reports", 30000, "scenario", high=50_000_000, kind=int),
        growth=_number(head, "growth", 1.0, "scenario", high=100.0),
        travel_kmh=_number(head, "travel_kmh", 20.0, "scenario", high=200.0),
        detour=_number(head, "detour", 1.3, "scenario", low=1.0, high=5.0),
        drain_days=_number(head, "drain_days", 30, "scenario", high=365, kind=int),
        queue=queue,
        agencies={code: _agency(code, row, shifts)
                  for code, row in data.get("agencies", {}).items()},
        desk=_desk(data["desk"]["shifts"], "desk.shifts") if "desk" in data else Scenario.desk,
        work=work,
        default_work=_work(data["work"]["default"], "work.default")
        if "default" in data.get("work", {}) else WorkTime(),
        sla=sla, rates=rates, source=text)


def load(path: str | Path) -> Scenario:
    """Return the scenario in the TOML file at `path`."""
    return parse(Path(path).read_text(encoding="utf-8"))
