"""Sigap: citizen reporting and quick response for Indonesian cities."""

# A process's main context starts as the install's own work, across cities: loading the
# apps (the admin's forms list their choices at import), commands, the worker's consumer.
# Every request runs in the scope sigap.cities.middleware.city_scope gives it, every task in
# the worker's (sigap.cities.tenancy); a thread of our own starts with no scope at all and
# its first query of a city's rows raises until it chooses one.
from django_scopes.state import state as _scope_state

_scope_state.set({"_enabled": False})
