"""A version number of the public report data, bumped after every committed change.

Public read endpoints (Open311 lists and details) cache their answers under the current
version, so a cached answer is never stale: any change made through reports.services bumps
the version after commit and the next read recomputes.
"""

from __future__ import annotations

from django.core.cache import cache

KEY = "reports:version"


def version() -> int:
    """Return the current data version (0 when unknown)."""
    return cache.get(KEY) or 0


def bump() -> None:
    """Invalidate every cached public answer (call after commit)."""
    try:
        cache.incr(KEY)
    except ValueError:
        # Missing key: start the counter. add() never overwrites a concurrent start.
        if not cache.add(KEY, 1, timeout=None):
            cache.incr(KEY)
