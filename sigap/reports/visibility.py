"""Who may see a report, and who may act on it: the one rule (STYLE.md §22).

Three circles, each answered as a queryset (lists, counts, maps) and as a predicate (one
report in hand), which agree because the predicate evaluates the very `Q` the queryset
filters by (`matches`):

- **the office's sight** — `office_reports(user)` / `sees_in_office(user, report)`: the city
  administrator and the executive see every report; agency staff (officer, dispatcher,
  head) see their agency's; nobody else sees any.
- **anyone's sight** — `visible_reports(user)` / `can_see(user, report)`: the public reports
  (not confidential, neither rejected nor a duplicate), the user's own, and the office's
  sight.
- **acting as staff** — `actionable_reports(user)` / `can_act(user, report)`: the city
  administrator acts on every report; a dispatcher or head on their agency's; an officer on
  their agency's reports assigned to them or to one of their teams. Which actions, in which
  status, is the state machine's answer (`workflow`, through `services.actions_for`).

Each circle is one function from the user to a `Q` (`_office`, `_sight`, `_acting`). A new
clause — the city of issue 26, `_cities` — goes into that function once, and the queryset
and the predicate both follow.
"""

from __future__ import annotations

from django.db.models import Q

from sigap.accounts.models import Role
from sigap.cities import tenancy
from sigap.reports.models import PUBLIC, Report

# A condition every report meets, and one none does (an empty IN: Django runs no query).
# Not `Q()`: Django drops an empty Q from an OR (`Q(a) | Q()` is `Q(a)`), which would turn
# "everything" into "nothing more".
EVERYTHING = Q(pk__isnull=False)
NOTHING = Q(pk__in=[])


def _active(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False)) \
        and user.is_active


def sees_every_agency(user) -> bool:
    """Return whether the office shows `user` every agency's reports (city administrator,
    executive)."""
    return _active(user) and (user.is_city_admin or user.role == Role.EXECUTIVE)


def office_agency_id(user) -> int | None:
    """Return the one agency whose reports the office shows `user` (agency staff), or None
    (every agency's, see `sees_every_agency`, or none)."""
    if _active(user) and not sees_every_agency(user) and user.is_agency_staff:
        return user.agency_id
    return None


def team_ids_of(user) -> set[int] | None:
    """Return an officer's team ids (one query), to pass as `team_ids` over many reports;
    None for anyone else."""
    if _active(user) and user.role == Role.OFFICER:
        return set(user.teams.values_list("pk", flat=True))
    return None


# --- The rule: one Q per circle ---------------------------------------------------------------

def _cities(user) -> Q:
    """The cities whose reports `user`'s office work covers (sigap.cities.tenancy): the
    request's scope already narrows every query to them; this clause holds the rule where no
    request scopes (the worker, a command)."""
    ids = tenancy.cities_of(user)
    return EVERYTHING if ids is tenancy.ALL else Q(city_id__in=ids)


def _office(user) -> Q:
    if sees_every_agency(user):
        return _cities(user)
    agency_id = office_agency_id(user)
    return Q(agency_id=agency_id) if agency_id is not None else NOTHING


def _sight(user) -> Q:
    if not _active(user):
        return PUBLIC
    return PUBLIC | Q(reporter_id=user.pk) | _office(user)


def _acting(user, team_ids=None) -> Q:
    """`team_ids`: the officer's teams when known (`team_ids_of`); otherwise read from the
    database, by the predicate only when the report is not the officer's own."""
    if not _active(user):
        return NOTHING
    if user.is_city_admin:
        return _cities(user)
    if not user.is_agency_staff:
        return NOTHING
    agency = Q(agency_id=user.agency_id)
    if user.role != Role.OFFICER:
        return agency  # dispatcher, head
    teams = team_ids if team_ids is not None else _Teams(user)
    return agency & (Q(officer_id=user.pk) | Q(team_id__in=teams))


class _Teams:
    """An officer's team ids, read at most once and only if asked: the predicate checks
    the report's own officer first, so acting on one's own task costs no query."""

    def __init__(self, user):
        self.user = user
        self._ids = None

    def ids(self) -> set[int]:
        if self._ids is None:
            self._ids = set(self.user.teams.values_list("pk", flat=True))
        return self._ids

    def __iter__(self):
        return iter(self.ids())

    def __contains__(self, value) -> bool:
        return value in self.ids()


# --- Querysets ---------------------------------------------------------------------------------

def office_reports(user, qs=None):
    """Return the reports the back office shows `user`."""
    return (Report.objects.all() if qs is None else qs).filter(_office(user))


def visible_reports(user, qs=None):
    """Return every report `user` may see anywhere (public, their own, the office's)."""
    return (Report.objects.all() if qs is None else qs).filter(_sight(user))


def actionable_reports(user, qs=None):
    """Return the reports `user` may act on as staff."""
    team_ids = team_ids_of(user)
    return (Report.objects.all() if qs is None else qs).filter(
        _acting(user, team_ids if team_ids is not None else []))


# --- Predicates ---------------------------------------------------------------------------------

def sees_in_office(user, report: Report) -> bool:
    """Return whether the back office shows `user` this report."""
    return matches(_office(user), report)


def can_see(user, report: Report) -> bool:
    """Return whether `user` may see this report at all."""
    return matches(_sight(user), report)


def can_act(user, report: Report, *, team_ids: set[int] | None = None) -> bool:
    """Return whether `user` may act on this report as staff; `team_ids` (`team_ids_of`)
    spares an officer's query per report in a list."""
    return matches(_acting(user, team_ids), report)


def matches(q: Q, report) -> bool:
    """Return whether `report` meets `q`, evaluated on its attributes as the database would.

    Only what the rule above uses is understood — `field`, `__in`, `__isnull`, AND, OR, NOT —
    and anything else raises, so the rule cannot grow a clause the predicate would misread."""
    results = (_child(child, report) for child in q.children)
    found = all(results) if q.connector == Q.AND else any(results)
    return not found if q.negated else found


def _child(child, report) -> bool:
    if isinstance(child, Q):
        return matches(child, report)
    lookup, value = child
    field, _, op = lookup.partition("__")
    actual = getattr(report, field)
    if op == "":
        return actual == value
    if op == "in":
        return actual is not None and actual in value
    if op == "isnull":
        return (actual is None) == value
    raise ValueError(f"visibility.matches does not understand the lookup {lookup!r}")
