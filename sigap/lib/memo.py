"""Per-process memory for hot paths: small values with a time limit, and answers by size.

Every gunicorn worker keeps its own copy; nothing here is shared between processes, so
whatever is kept must either be keyed by something that changes when the data does (the
report data version) or be allowed to lag by its time limit (configuration that an
administrator edits rarely: the city, categories, API keys). `clear_all()` empties every
memo of the process (tests call it between tests; nothing else needs to).

The clock is injectable (`clock=`) so tests can move time without sleeping.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Callable, Hashable

_registry: list["Expiring | Bounded"] = []
_lock = threading.Lock()


def clear_all() -> None:
    for memo in list(_registry):
        memo.clear()


class Expiring:
    """Values computed on demand and kept for `seconds` (0 or less: never kept)."""

    def __init__(self, seconds: float | Callable[[], float], *,
                 clock: Callable[[], float] = time.monotonic):
        self._seconds = seconds
        self._clock = clock
        self._items: dict[Hashable, tuple[float, object]] = {}
        _registry.append(self)

    def seconds(self) -> float:
        return self._seconds() if callable(self._seconds) else self._seconds

    def get(self, key: Hashable, compute: Callable[[], object]):
        """Return the value kept for `key`, computing (and keeping) it when absent or old."""
        now = self._clock()
        hit = self._items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = compute()
        ttl = self.seconds()
        if ttl > 0 and value is not None:
            self._items[key] = (now + ttl, value)
        return value

    def forget(self, key: Hashable) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()


def configuration() -> Expiring:
    """A memo for configuration, kept SIGAP_CONFIG_CACHE_SECONDS (read at each use)."""
    from django.conf import settings

    return Expiring(lambda: settings.SIGAP_CONFIG_CACHE_SECONDS)


class Bounded:
    """A least-recently-used map of byte strings held under `max_bytes` in total."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()
        self._size = 0
        _registry.append(self)

    def get(self, key: Hashable):
        with _lock:
            hit = self._items.get(key)
            if hit is None:
                return None
            self._items.move_to_end(key)
            return hit[1]

    def put(self, key: Hashable, value: object, size: int) -> None:
        if size > self.max_bytes // 4:
            return  # one answer may not push out most of the others
        with _lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._size -= old[0]
            self._items[key] = (size, value)
            self._size += size
            while self._size > self.max_bytes and self._items:
                _, (dropped, _value) = self._items.popitem(last=False)
                self._size -= dropped

    def clear(self) -> None:
        with _lock:
            self._items.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._items)
