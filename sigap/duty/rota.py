"""Who is on duty: pure functions over shifts and a moment in the city's time (no database).

A shift runs on its weekdays from `starts` to `ends`; an end at or before the start runs over
midnight, and the hours after midnight belong to the day the shift started (a Friday night
shift covers Saturday 02:00). On a public holiday a shift works as its `holidays` says:
also (as on any of its weekdays), off, or only on holidays (whatever the weekday).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Iterable

ALSO, OFF, ONLY = "also", "off", "only"


@dataclass(frozen=True)
class ShiftRule:
    user_id: int
    team_id: int | None  # None: the desk
    weekdays: frozenset[int]  # 0 = Monday
    starts: time
    ends: time
    holidays: str = ALSO
    valid_from: date | None = None
    valid_until: date | None = None


def _works_on(rule: ShiftRule, day: date, holidays: frozenset[date]) -> bool:
    """Return whether a shift of this rule starts on `day`."""
    if rule.valid_from and day < rule.valid_from:
        return False
    if rule.valid_until and day > rule.valid_until:
        return False
    if day in holidays:
        return rule.holidays != OFF and (rule.holidays == ONLY or day.weekday() in rule.weekdays)
    return rule.holidays != ONLY and day.weekday() in rule.weekdays


def is_on(rule: ShiftRule, local: datetime, holidays: frozenset[date] = frozenset()) -> bool:
    """Return whether the rule's person is on duty at `local` (the city's wall-clock time)."""
    moment, day = local.time().replace(tzinfo=None), local.date()
    if rule.starts < rule.ends:
        return rule.starts <= moment < rule.ends and _works_on(rule, day, holidays)
    # Over midnight (or round the clock when equal): today's start, or yesterday's tail.
    if moment >= rule.starts and _works_on(rule, day, holidays):
        return True
    return moment < rule.ends and _works_on(rule, day - timedelta(days=1), holidays)


def on_duty(rules: Iterable[ShiftRule], local: datetime,
            holidays: frozenset[date] = frozenset()) -> set[int]:
    """Return the ids of the people on duty at `local`."""
    return {r.user_id for r in rules if is_on(r, local, holidays)}


@dataclass(frozen=True)
class Step:
    minutes: int  # after the first page
    kind: str  # "page" or "escalate"


def schedule(ack_minutes: int, repages: int, escalate_after_minutes: int) -> list[Step]:
    """Return an emergency's paging steps: a page at once, a re-page every `ack_minutes`
    (`repages` of them, those before the escalation), then the escalation to the head."""
    ack = max(ack_minutes, 1)
    escalate = max(escalate_after_minutes, 0)
    steps = [Step(0, "page")]
    steps += [Step(k * ack, "page") for k in range(1, repages + 1) if k * ack < escalate]
    steps.append(Step(max(escalate, steps[-1].minutes), "escalate"))
    return steps
