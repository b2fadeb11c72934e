"""Deadline maths: add hours of service time to an instant, never reading the clock.

A `Calendar` is either round-the-clock (emergency services, most categories) or office
hours on working days with a set of public holidays (FixMyStreet's WorkingDays idea).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo
    always_open: bool = True
    start: time = time(8, 0)
    end: time = time(16, 0)
    workdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday..Friday
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self):
        # An office that closes before it opens, or never works a day, has no service time:
        # adding hours to it would never end.
        if not self.always_open and (self.end <= self.start or not self.workdays):
            raise ValueError("office hours must end after they start, on at least one day")

    def is_working_day(self, day: date) -> bool:
        return self.always_open or (day.weekday() in self.workdays and day not in self.holidays)


def add_service_hours(start: datetime, hours: float, calendar: Calendar) -> datetime:
    """Return the instant `hours` of service time after `start` under `calendar`."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    remaining = timedelta(hours=hours)
    if calendar.always_open:
        return start + remaining
    local = start.astimezone(calendar.tz)
    while True:
        day = local.date()
        if calendar.is_working_day(day):
            open_at = datetime.combine(day, calendar.start, calendar.tz)
            close_at = datetime.combine(day, calendar.end, calendar.tz)
            if local < open_at:
                local = open_at
            if local < close_at:
                available = close_at - local
                if remaining <= available:
                    return (local + remaining).astimezone(start.tzinfo)
                remaining -= available
        next_day = day + timedelta(days=1)
        local = datetime.combine(next_day, calendar.start, calendar.tz)


def subtract_service_hours(end: datetime, hours: float,
                           calendar: Calendar) -> datetime:
    """Return the instant `hours` of service time before `end` under `calendar`."""
    remaining = timedelta(hours=hours)
    if calendar.always_open:
        return end - remaining
    local = end.astimezone(calendar.tz)
    while True:
        day = local.date()
        if calendar.is_working_day(day):
            open_at = datetime.combine(day, calendar.start, calendar.tz)
            close_at = datetime.combine(day, calendar.end, calendar.tz)
            if local > close_at:
                local = close_at
            if local > open_at:
                available = local - open_at
                if remaining <= available:
                    return (local - remaining).astimezone(end.tzinfo)
                remaining -= available
        previous = day - timedelta(days=1)
        local = datetime.combine(previous, calendar.end, calendar.tz)


def service_hours_between(start: datetime, end: datetime, calendar: Calendar) -> float:
    """Return the hours of service time from `start` to `end` (0 when end <= start)."""
    if end <= start:
        return 0.0
    if calendar.always_open:
        return (end - start).total_seconds() / 3600
    total = timedelta()
    local = start.astimezone(calendar.tz)
    stop = end.astimezone(calendar.tz)
    while local < stop:
        day = local.date()
        if calendar.is_working_day(day):
            open_at = datetime.combine(day, calendar.start, calendar.tz)
            close_at = datetime.combine(day, calendar.end, calendar.tz)
            lo, hi = max(local, open_at), min(stop, close_at)
            if hi > lo:
                total += hi - lo
        local = datetime.combine(day + timedelta(days=1), time(0, 0), calendar.tz)
    return total.total_seconds() / 3600


def indonesian_holidays(years: range) -> frozenset[date]:
    """Return Indonesia's public holidays for `years` (from the `holidays` package)."""
    import holidays as holidays_lib

    return frozenset(holidays_lib.country_holidays("ID", years=list(years)).keys())


def yearly_holidays(rules: list[dict], years) -> frozenset[date]:
    """Return the dates of holidays held every year on one day (`{"month": 2, "day": 5}`,
    e.g. Papua's Hari Pekabaran Injil) for `years`."""
    return frozenset(date(year, int(r["month"]), int(r["day"])) for year in years
                     for r in rules)
