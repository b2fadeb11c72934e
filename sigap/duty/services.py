"""The rota read from the database, and the answers the other layers ask of it."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sigap.accounts.models import Role, User
from sigap.agencies.models import Agency
from sigap.duty import rota
from sigap.duty.models import PushSubscription, Shift
from sigap.lib import workingtime


@lru_cache(maxsize=8)
def _holidays(year: int) -> frozenset:
    return workingtime.indonesian_holidays(range(year - 1, year + 2))


def rule_of(s: Shift) -> rota.ShiftRule:
    return rota.ShiftRule(user_id=s.user_id, team_id=s.team_id,
                          weekdays=frozenset(int(c) for c in s.weekdays if c.isdigit()),
                          starts=s.starts, ends=s.ends, holidays=s.holidays,
                          valid_from=s.valid_from, valid_until=s.valid_until)


def running_now(shifts: list[Shift], agency, now: datetime) -> set[int]:
    """Return the ids of those of these shifts that are running at `now`."""
    local = now.astimezone(agency.city.tz)
    holidays = _holidays(local.year)
    return {s.pk for s in shifts if rota.is_on(rule_of(s), local, holidays)}


def rules_for(agency_id: int) -> list[rota.ShiftRule]:
    """Return the agency's shifts as rules (one query)."""
    return [
        rule_of(s)
        for s in Shift.objects.filter(agency_id=agency_id, user__is_active=True)
        .only("user_id", "team_id", "weekdays", "starts", "ends", "holidays", "valid_from",
              "valid_until")]


def on_duty_ids(agency, now: datetime, *, team_id: int | None = None, desk: bool = False,
                rules: list[rota.ShiftRule] | None = None) -> set[int] | None:
    """Return who of the agency is on duty at `now`: of the team `team_id`, or at the desk
    (`desk=True`), or anywhere. None when the agency keeps no rota."""
    rules = rules_for(agency.pk) if rules is None else rules
    if not rules:
        return None
    if desk:
        rules = [r for r in rules if r.team_id is None]
    elif team_id is not None:
        rules = [r for r in rules if r.team_id == team_id]
    local = now.astimezone(agency.city.tz)
    return rota.on_duty(rules, local, _holidays(local.year))


def answer_who_is_on_duty(sender, *, agency_id, team_id, user_ids, now, **kwargs):
    """Receiver of reports.signals.who_is_on_duty: the team's people on duty by the rota
    (any of the agency's shifts counts for a person in the asked team), or None."""
    agency = Agency.objects.select_related("city").get(pk=agency_id)
    rules = rules_for(agency_id)
    if not rules:
        return None
    on = on_duty_ids(agency, now, rules=[r for r in rules if r.team_id in (team_id, None)])
    return {pk for pk in user_ids if pk in on}


def desk_on_duty(agency, now: datetime) -> list[User]:
    """Return the desk people to alert of a new report at `now`: the rota's desk shifts, or
    (an agency without a rota) the active dispatchers whose on-duty flag is set."""
    ids = on_duty_ids(agency, now, desk=True)
    staff = User.objects.filter(agency_id=agency.pk, is_active=True)
    if ids is None:
        return list(staff.filter(role=Role.DISPATCHER, on_duty=True).order_by("pk"))
    return list(staff.filter(pk__in=ids).order_by("pk"))


def team_on_duty(agency, team_id: int | None, now: datetime) -> list[User]:
    """Return the team's officers on duty at `now` (rota, else the flag); the desk on duty
    when the team has nobody on duty."""
    staff = User.objects.filter(agency_id=agency.pk, is_active=True)
    people: list[User] = []
    if team_id is not None:
        ids = on_duty_ids(agency, now, team_id=team_id)
        if ids is None:
            people = list(staff.filter(teams__id=team_id, role=Role.OFFICER, on_duty=True)
                          .order_by("pk"))
        else:
            people = list(staff.filter(pk__in=ids).order_by("pk"))
    return people or desk_on_duty(agency, now)


def heads_of(agency) -> list[User]:
    return list(User.objects.filter(agency_id=agency.pk, role=Role.HEAD, is_active=True)
                .order_by("pk"))


def answer_takes_push(sender, *, user_ids, **kwargs) -> set[int]:
    """Receiver of notifications.signals.takes_push: those of `user_ids` whose browser
    subscribed to web push (one query)."""
    return set(PushSubscription.objects.filter(user_id__in=user_ids)
               .values_list("user_id", flat=True).distinct())
