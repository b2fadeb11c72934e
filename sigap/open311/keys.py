"""API keys on the POST path: who is asking (memoised), and their per-minute budget.

Finding the key by its hash is memoised per worker for SIGAP_CONFIG_CACHE_SECONDS, but
whether it still counts is decided by the report's own write, through the gate `charge()`
returns: one UPDATE on the key's row that both checks it is active (a revoked key stops at
once, in every worker) and counts this POST in the current minute, under the key's rate.
No separate cache write, no extra commit or round trip (sigap.reports.intake).
"""

from __future__ import annotations

from datetime import datetime

from sigap.lib import memo
from sigap.open311.models import ApiKey, hash_key
from sigap.reports.intake import Gate

_BY_HASH = memo.configuration()


def find(raw: str) -> ApiKey | None:
    """Return the active key for `raw` (unknown keys are looked up every time)."""
    if not raw or len(raw) > 200:
        return None
    digest = hash_key(raw)
    return _BY_HASH.get(digest, lambda: ApiKey.objects.for_raw(raw))


def charge(key: ApiKey, now: datetime, refused) -> Gate:
    """Return the gate that counts one POST against the key in this minute.

    The report is written only if the key's row matches: still active and under its rate
    for the minute (a new minute starts the count again). The count is part of the report's
    own write, so only accepted POSTs use budget; `refused()` raises the adapter's error.
    """
    minute = int(now.timestamp() // 60)
    return Gate(
        ApiKey, "UPDATE {table} SET rate_count = CASE WHEN rate_minute = %s "
        "THEN rate_count + 1 ELSE 1 END, rate_minute = %s WHERE id = %s AND is_active "
        "AND (rate_minute <> %s OR rate_count < %s) RETURNING rate_count",
        [minute, minute, key.pk, minute, key.rate_per_minute], refused)


def is_active(key: ApiKey) -> bool:
    """Whether the key still counts (read again: it may have been revoked since it was found)."""
    active = ApiKey.objects.filter(pk=key.pk, is_active=True).exists()
    if not active:
        _BY_HASH.forget(key.key_hash)
    return active
