"""Cities as tenants of one install, by construction (STYLE.md §21, decision 0016).

Every model that belongs to a city is reached through a manager scoped by django-scopes
(`city_manager`): a query made while no city scope is active raises `ScopeError` instead of
reading every city's rows, and a query made inside `scope(city=[ids])` sees those cities'
rows only, whatever filter its author remembered. Who gets which scope is decided here:

- a request: `sigap.cities.middleware.city_scope` activates `scope_for(request.user)` — the
  staff member's own city, a provincial role's overseen cities, every city for the public
  (public pages show public rows of any city; what is public is `reports.visibility`'s
  rule) — and the time zone of that city (or of the city the host name picks);
- the worker: every task runs as the system (`system()`), across cities; a task about one
  report reads that report's city from the report;
- management commands (`sigap ...`): the system too (`sigap.cli`).

`ALL` (None) is django-scopes' "no filter on this dimension": an explicit decision that a
context reads every city, never the default of a forgotten scope.
"""

from __future__ import annotations

from functools import wraps

from django.db import models
from django_scopes import ScopedManager, scope, scopes_disabled
from django_scopes.state import state

ALL = None


def city_manager(path: str = "city", queryset: type[models.QuerySet] | None = None):
    """Return the default manager of a city's model: scoped on `path` (the lookup from the
    model to its city), with `queryset`'s methods."""
    base = models.Manager if queryset is None else models.Manager.from_queryset(queryset)
    return ScopedManager(_manager_class=base, city=path)


def cities_of(user) -> list[int] | None:
    """Return the ids of the cities whose office data `user` reads (`User.office_city_ids`:
    a staff member's own city, a provincial role's overseen cities, `ALL` for the install's
    administrator); [] for a citizen or a visitor."""
    if not is_office_user(user):
        return []
    return user.office_city_ids()


def is_office_user(user) -> bool:
    return bool(getattr(user, "is_office_user", False))


def scope_for(user):
    """Return the scope a request by `user` runs in: office users their cities; anyone
    else every city (public pages filter what is public themselves)."""
    if is_office_user(user):
        ids = cities_of(user)
        return scope(city=ALL if ids is ALL else list(ids))
    return scope(city=ALL)


def narrow_to(user) -> None:
    """Narrow the current request's scope to `user`'s cities, for the rest of the request
    (an API token's user, known only once DRF authenticates; the middleware's `scope()`
    restores the state when the request ends)."""
    if is_office_user(user):
        ids = cities_of(user)
        current = dict(state.get() or {})
        current.update(_enabled=True, city=ALL if ids is ALL else list(ids))
        state.set(current)


def system():
    """The scope of the install's own work (the worker, commands, migrations): every city."""
    return scopes_disabled()


def enter_system() -> object:
    """Switch the current context to the system scope until `leave(token)` (hooks that have
    no `with` around the work: Huey's pre/post-execute)."""
    return state.set({"_enabled": False})


def leave(token) -> None:
    state.reset(token)


def as_system(func):
    """Return `func` run as the install's own work: for a thread of our own, which starts
    with no scope (`concurrent.futures`, `threading`)."""

    @wraps(func)
    def run(*args, **kwargs):
        with system():
            return func(*args, **kwargs)

    return run


def scope_for_ids(ids: list[int]):
    """The scope of an office user who reads these cities (tests, a task acting for one)."""
    return scope(city=list(ids))
