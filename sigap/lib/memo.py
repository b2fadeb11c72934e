"""Per-worker memos for hot paths, on cachetools' time-aware LRU cache.

Every gunicorn worker keeps its own copy; nothing here is shared between processes, so
whatever is kept must either be keyed by something that changes when the data does (the
report data version) or be allowed to lag by its time limit (configuration that an
administrator edits rarely: the city, categories, API keys). `clear_all()` empties every
memo of the process (tests call it between tests; nothing else needs to).

A memo is a `cachetools.TLRUCache` rather than a `TTLCache` because the time limit comes from
the settings: it is read each time a value is kept, not once at import. The worker runs
tasks in threads and cachetools' caches are not thread-safe, so each memo has a lock. The
clock is injectable (`timer=`) so tests can move time without sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Hashable

from cachetools import TLRUCache
from django.conf import settings

_registry: list[Memo] = []


def clear_all() -> None:
    for memo in list(_registry):
        memo.clear()


class Memo:
    """Values computed on demand and kept for `seconds` (a number, or a function read at each
    store; 0 or less: never kept), the least recently used dropped beyond `maxsize` entries,
    or bytes when `getsizeof` measures each value. None is never kept: an unknown key is
    looked up again next time."""

    def __init__(self, seconds: float | Callable[[], float], *, maxsize: int = 1024,
                 getsizeof: Callable[[object], int] | None = None,
                 timer: Callable[[], float] = time.monotonic):
        self._seconds = seconds
        self._items = TLRUCache(maxsize, ttu=self._expires, timer=timer, getsizeof=getsizeof)
        self._lock = threading.Lock()
        _registry.append(self)

    def _expires(self, _key, _value, now: float) -> float:
        return now + (self._seconds() if callable(self._seconds) else self._seconds)

    @property
    def maxsize(self) -> int:
        return int(self._items.maxsize)

    def get(self, key: Hashable, compute: Callable[[], object] | None = None):
        """Return the value kept for `key`; when absent or old, `compute()`'s (kept), or None."""
        with self._lock:
            value = self._items.get(key)
        if value is None and compute is not None:
            value = compute()
            if value is not None:
                self.put(key, value)
        return value

    def put(self, key: Hashable, value: object) -> None:
        with self._lock:
            try:
                self._items[key] = value
            except ValueError:  # larger than the whole memo: not kept
                pass

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._items.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def configuration() -> Memo:
    """A memo for configuration, kept SIGAP_CONFIG_CACHE_SECONDS (read at each store)."""
    return Memo(lambda: settings.SIGAP_CONFIG_CACHE_SECONDS)
