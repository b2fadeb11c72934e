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

Several processes (web nodes, workers) each keep their own memos. Configuration memos also
follow a version kept in the shared cache: `configuration_changed()` (called after every
committed write of the city's configuration, `lib/publicdata.ConfigurationModel`) sets a new
one and empties this process's configuration memos; every other process notices it within
SIGAP_CONFIG_CHECK_SECONDS (`check_configuration()`, called at each request and each job,
reading the cache at most once per that window) and empties its own.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Hashable

import logging
import math
import uuid

from cachetools import TLRUCache
from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

_registry: list[Memo] = []
CONFIGURATION_VERSION_KEY = "sigap:configuration-version"


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
                 timer: Callable[[], float] = time.monotonic,
                 follows_configuration: bool = False):
        self._seconds = seconds
        # Emptied when the configuration version changes (in any process of the cluster).
        self.follows_configuration = follows_configuration
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
    """A memo for configuration, kept SIGAP_CONFIG_CACHE_SECONDS (read at each store) or
    until the configuration changes, whichever comes first."""
    return Memo(lambda: settings.SIGAP_CONFIG_CACHE_SECONDS, follows_configuration=True)


def until_configuration_changes(*, maxsize: int = 64) -> Memo:
    """A memo for what is costly to build from the configuration (prepared boundaries):
    kept until the configuration changes, however long that is."""
    return Memo(math.inf, maxsize=maxsize, follows_configuration=True)


def clear_configuration() -> None:
    """Empty this process's configuration memos."""
    for memo in list(_registry):
        if memo.follows_configuration:
            memo.clear()


class _Seen:
    """The configuration version this process last read, and when it read it."""

    version: str | None = None
    checked_at: float = -math.inf
    lock = threading.Lock()


def configuration_version() -> str | None:
    """Return the configuration version this process last saw (None: none seen yet)."""
    return _Seen.version


def configuration_changed() -> str:
    """Set a new configuration version in the shared cache (every process empties its
    configuration memos within SIGAP_CONFIG_CHECK_SECONDS) and empty this process's at once.
    Return the new version."""
    version = uuid.uuid4().hex
    try:
        cache.set(CONFIGURATION_VERSION_KEY, version, timeout=None)
    except Exception:  # noqa: BLE001 - the cache is down: the memos' time limit still holds
        log.exception("configuration version not stored; other processes follow within "
                      "SIGAP_CONFIG_CACHE_SECONDS")
    with _Seen.lock:
        _Seen.version = version
    clear_configuration()
    return version


def check_configuration(*, now: float | None = None) -> bool:
    """Empty this process's configuration memos if another process changed the configuration
    since this one last looked; look at most once per SIGAP_CONFIG_CHECK_SECONDS (0: never).
    Return True when they were emptied."""
    window = settings.SIGAP_CONFIG_CHECK_SECONDS
    if window <= 0:
        return False
    now = time.monotonic() if now is None else now
    with _Seen.lock:
        if now - _Seen.checked_at < window:
            return False
        _Seen.checked_at = now
    try:
        version = cache.get(CONFIGURATION_VERSION_KEY)
    except Exception:  # noqa: BLE001 - the cache is down: the memos' time limit still holds
        log.warning("configuration version not read (cache unreachable)")
        return False
    with _Seen.lock:
        if version == _Seen.version:
            return False
        _Seen.version = version
    clear_configuration()
    return True


def forget_configuration_check() -> None:
    """Make the next check_configuration() read the cache (tests)."""
    with _Seen.lock:
        _Seen.checked_at = -math.inf
