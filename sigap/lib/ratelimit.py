"""Fixed-window counters in the shared cache: "at most N per window" for any key.

Time is an input (`now`, seconds since the epoch). Counting is separate from asking, so a
caller can count only what it accepted (a refused or replayed request costs nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache

UNITS = {"s": 1, "sec": 1, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


def parse(text: str) -> Rate:
    """Return the rate written as "30/min", "5/10min", "300/hour"; raise ValueError if not."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*", text or "")
    if not match or match.group(3) not in UNITS:
        raise ValueError(f"not a rate: {text!r} (write e.g. 30/min, 5/10min, 300/hour)")
    return Rate(int(match.group(1)), int(match.group(2) or 1) * UNITS[match.group(3)])


def _key(name: str, ident: str, rate: Rate, now: float) -> tuple[str, int]:
    window = int(now // rate.seconds)
    left = rate.seconds - int(now - window * rate.seconds)
    return f"rl:{name}:{rate.seconds}:{window}:{ident}", max(1, left)


def retry_after(name: str, ident: str, rates: list[Rate], now: float) -> int | None:
    """Return the seconds to wait when `ident` has used up any of `rates`, else None."""
    keys = {_key(name, ident, rate, now): rate for rate in rates}
    counts = cache.get_many([key for key, _left in keys])
    waits = [left for (key, left), rate in keys.items() if counts.get(key, 0) >= rate.count]
    return max(waits) if waits else None


def count(name: str, ident: str, rates: list[Rate], now: float) -> None:
    """Count one use by `ident` in each of `rates`' current windows."""
    for rate in rates:
        key, left = _key(name, ident, rate, now)
        if not cache.add(key, 1, timeout=left + 1):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=left + 1)
