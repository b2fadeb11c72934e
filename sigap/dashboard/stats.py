"""Honest statistics as pure functions over plain values (no database, no clock).

Every figure the dashboard and the transparency page show is computed here, so each rule is
written once and tested against values worked out by hand (tests/test_stats.py). The
definitions a reader sees on the pages (docs/dashboard.md) are the docstrings of this module.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# A rate or a time over fewer reports than this is shown as "too few", never as 0 % or 100 %.
MIN_SAMPLE = 10
# A resolved report the citizen has not answered within this window counts as fixed.
CONFIRMATION_WINDOW = timedelta(days=7)
# Hotspots: the same category at the same place, each report within this long of the one
# before, at least HOTSPOT_MIN_REPORTS times.
HOTSPOT_GAP = timedelta(days=90)
HOTSPOT_MIN_REPORTS = 3
# Ratings of 4 or 5 stars (out of 5) count as satisfied.
SATISFIED_FROM = 4

# What became of a report (one per report; see outcome()).
FIXED_CONFIRMED = "fixed_confirmed"
FIXED_NO_REPLY = "fixed_no_reply"
AWAITING_CONFIRMATION = "awaiting_confirmation"
CLOSED_UNCONFIRMED = "closed_unconfirmed"
WAITING_CITIZEN = "waiting_citizen"
WAITING_OTHER_AGENCY = "waiting_other_agency"
IN_WORK = "in_work"
NOT_HANDLED = "not_handled"
REJECTED = "rejected"
DUPLICATE = "duplicate"

FIXED = frozenset({FIXED_CONFIRMED, FIXED_NO_REPLY})
OPEN_OUTCOMES = frozenset({WAITING_CITIZEN, WAITING_OTHER_AGENCY, IN_WORK, NOT_HANDLED})
OUTCOMES = (FIXED_CONFIRMED, FIXED_NO_REPLY, AWAITING_CONFIRMATION, CLOSED_UNCONFIRMED,
            WAITING_CITIZEN, WAITING_OTHER_AGENCY, IN_WORK, NOT_HANDLED, REJECTED, DUPLICATE)

_OPEN_STATUSES = frozenset({"submitted", "verified", "assigned", "in_progress", "reopened"})
_CITIZEN_CLOSERS = frozenset({"reporter"})
_SYSTEM_CLOSERS = frozenset({"system"})


def outcome(*, status: str, closed_by: str | None, resolved_at: datetime | None,
            paused: bool, reassigned: bool, now: datetime,
            window: timedelta = CONFIRMATION_WINDOW) -> str:
    """Return what became of one report at `now`.

    - closed by the citizen ("sudah beres"): fixed, confirmed;
    - closed by the system, or resolved and not answered within the confirmation window:
      fixed, no reply;
    - resolved, window still running: awaiting the citizen's confirmation;
    - closed by the agency (dispatcher, head, administrator) without the citizen: closed
      without confirmation — never counted as fixed;
    - open with the SLA paused: waiting on the citizen (more information asked);
    - open, handed over to another agency and not yet taken up there: waiting on that agency;
    - open and verified, assigned or being worked on: in work; open and untouched: not handled.
    """
    if status == "closed":
        if closed_by in _CITIZEN_CLOSERS:
            return FIXED_CONFIRMED
        if closed_by in _SYSTEM_CLOSERS:
            return FIXED_NO_REPLY
        return CLOSED_UNCONFIRMED
    if status == "resolved":
        if resolved_at is not None and now - resolved_at >= window:
            return FIXED_NO_REPLY
        return AWAITING_CONFIRMATION
    if status == "rejected":
        return REJECTED
    if status == "duplicate":
        return DUPLICATE
    if paused:
        return WAITING_CITIZEN
    if status == "submitted":
        return WAITING_OTHER_AGENCY if reassigned else NOT_HANDLED
    return IN_WORK


@dataclass(frozen=True)
class Rate:
    """A share `part / whole` that knows when its sample is too small to be shown."""

    part: int
    whole: int
    min_sample: int = MIN_SAMPLE

    @property
    def too_few(self) -> bool:
        return self.whole < self.min_sample

    @property
    def value(self) -> float | None:
        """Return the share in [0, 1], or None when there are too few reports."""
        if self.too_few:
            return None
        return self.part / self.whole

    @property
    def percent(self) -> int | None:
        v = self.value
        return None if v is None else round(v * 100)


@dataclass(frozen=True)
class Times:
    """Median and 90th percentile of durations in hours, or None with too few values."""

    n: int
    median: float | None
    p90: float | None

    @property
    def too_few(self) -> bool:
        return self.median is None


def median(values: list[float]) -> float | None:
    """Return the median (the mean of the two middle values when their number is even)."""
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    if len(s) % 2:
        return s[mid]
    return (s[mid - 1] + s[mid]) / 2


def percentile(values: list[float], p: float) -> float | None:
    """Return the p-th percentile by the nearest-rank method: the smallest value that at
    least p % of the values do not exceed (the value at rank ceil(p/100 × n))."""
    if not values:
        return None
    s = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(s)))
    return s[rank - 1]


def times(values: list[float], *, min_sample: int = MIN_SAMPLE) -> Times:
    """Return the median and p90 of `values`, or "too few" below `min_sample` values."""
    if len(values) < min_sample:
        return Times(len(values), None, None)
    return Times(len(values), median(values), percentile(values, 90))


def hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600


@dataclass(frozen=True)
class SlaResult:
    met: int
    breached: int
    pending: int

    def rate(self, min_sample: int = MIN_SAMPLE) -> Rate:
        return Rate(self.met, self.met + self.breached, min_sample)


def sla_state(*, done_at: datetime | None, due_at: datetime | None, paused: bool,
              now: datetime) -> str | None:
    """Return "met", "breached" or "pending" for one deadline, or None without a deadline.

    Done on or before the deadline: met; done after it, or not done and the deadline has
    passed (while not paused): breached; not done, deadline ahead or clock paused: pending.
    """
    if due_at is None:
        return None
    if done_at is not None:
        return "met" if done_at <= due_at else "breached"
    if not paused and now > due_at:
        return "breached"
    return "pending"


def count_sla(states) -> SlaResult:
    counts = {"met": 0, "breached": 0, "pending": 0}
    for state in states:
        if state is not None:
            counts[state] += 1
    return SlaResult(counts["met"], counts["breached"], counts["pending"])


@dataclass(frozen=True)
class Projection:
    """Where a yearly count will probably end: a central value and a 95 % interval."""

    so_far: int
    expected: int | None
    low: int | None
    high: int | None
    days_elapsed: int
    days_in_year: int

    @property
    def too_few(self) -> bool:
        return self.expected is None


MIN_DAYS_FOR_PROJECTION = 14


def project_year(daily_counts: list[int], *, days_in_year: int,
                 min_days: int = MIN_DAYS_FOR_PROJECTION) -> Projection:
    """Project the year-end total from the counts of the days elapsed so far.

    The days still to come are expected to bring the mean of the days so far each
    (expected = so far + mean × days left). The 95 % interval adds two uncertainties, with
    s² the sample variance of the daily counts, n days elapsed and r days left:
    day-to-day variation (r × s²) and the uncertainty of the mean itself (r² × s² / n);
    half-width = 1.96 × √(r·s² + r²·s²/n). The low end never falls below what has already
    been received. Fewer than `min_days` days: too few to project.
    """
    n = len(daily_counts)
    so_far = sum(daily_counts)
    if n < min_days:
        return Projection(so_far, None, None, None, n, days_in_year)
    r = max(0, days_in_year - n)
    mean = so_far / n
    var = sum((c - mean) ** 2 for c in daily_counts) / (n - 1)
    expected = so_far + mean * r
    half = 1.96 * math.sqrt(r * var + r * r * var / n)
    return Projection(so_far, round(expected), max(so_far, round(expected - half)),
                      round(expected + half), n, days_in_year)


@dataclass(frozen=True)
class Sighting:
    """One report as the hotspot rule needs it."""

    place: str
    category: int
    at: datetime
    ref: object = None  # what the caller wants back (a ticket, a primary key)


@dataclass
class Hotspot:
    place: str
    category: int
    sightings: list[Sighting] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.sightings)

    @property
    def first(self) -> datetime:
        return self.sightings[0].at

    @property
    def last(self) -> datetime:
        return self.sightings[-1].at


def hotspots(sightings, *, gap: timedelta = HOTSPOT_GAP,
             min_reports: int = HOTSPOT_MIN_REPORTS) -> list[Hotspot]:
    """Return the places where the same category keeps coming back.

    Reports of one category at one place (an H3 cell) are taken in time order; a chain
    continues while each report comes within `gap` of the one before it, and breaks at a
    longer silence. A chain of at least `min_reports` reports is a hotspot (a place can have
    two, separated by a quiet spell). Sorted by the number of reports, then the latest.
    """
    by_key: dict[tuple[str, int], list[Sighting]] = defaultdict(list)
    for s in sightings:
        if s.place:
            by_key[(s.place, s.category)].append(s)
    found: list[Hotspot] = []
    for (place, cat), items in by_key.items():
        if len(items) < min_reports:
            continue
        items.sort(key=lambda s: s.at)
        chain = [items[0]]
        for s in items[1:]:
            if s.at - chain[-1].at <= gap:
                chain.append(s)
            else:
                if len(chain) >= min_reports:
                    found.append(Hotspot(place, cat, chain))
                chain = [s]
        if len(chain) >= min_reports:
            found.append(Hotspot(place, cat, chain))
    found.sort(key=lambda h: (-h.count, -h.last.timestamp()))
    return found


AGE_BUCKETS = ((3, "0–3"), (7, "3–7"), (30, "7–30"), (None, "> 30"))


def age_bucket(age: timedelta) -> str:
    """Return the backlog ageing bucket (days) of an open report of this age."""
    days = age.total_seconds() / 86400
    for limit, label in AGE_BUCKETS:
        if limit is None or days < limit:
            return label
    raise AssertionError("unreachable")


def per_thousand(count: int, population: int | None) -> float | None:
    if not population:
        return None
    return count * 1000 / population
