"""Who handles a report: pure functions with explicit precedence (no database access).

1. An inactive category cannot take reports (NoRoute).
2. The category's responsible agency handles it; the "other" (triage) category goes to the
   city administrator's triage desk, which is simply that category's agency.
Within the agency (auto-assignment), the team covering the report's kecamatan wins over a
team covering the whole city; within a team, the least-loaded officer on duty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


class NoRoute(Exception):
    """No agency can take this report."""


def route(category) -> object:
    """Return the agency responsible for a new report in `category`."""
    if category is None or not category.is_active:
        raise NoRoute("category inactive")
    if category.agency_id is None:
        raise NoRoute("category has no agency")
    return category.agency


@dataclass(frozen=True)
class TeamOption:
    team_id: int
    kecamatan_ids: frozenset[int]  # empty = covers the whole city


def pick_team(teams: Iterable[TeamOption], kecamatan_id: int | None) -> int | None:
    """Return the team covering the kecamatan, else a city-wide team, else None."""
    teams = sorted(teams, key=lambda t: t.team_id)
    for team in teams:
        if kecamatan_id is not None and kecamatan_id in team.kecamatan_ids:
            return team.team_id
    for team in teams:
        if not team.kecamatan_ids:
            return team.team_id
    return None


@dataclass(frozen=True)
class OfficerLoad:
    user_id: int
    open_tasks: int
    on_duty: bool = True


def pick_officer(officers: Iterable[OfficerLoad]) -> int | None:
    """Return the on-duty officer with the fewest open tasks (lowest id breaks ties)."""
    candidates = [o for o in officers if o.on_duty]
    if not candidates:
        return None
    return min(candidates, key=lambda o: (o.open_tasks, o.user_id)).user_id
