"""API keys on the POST path: who is asking (memoised), and their per-minute budget.

Finding the key by its hash is memoised per worker for SIGAP_CONFIG_CACHE_SECONDS, but
whether it still counts is decided inside the writing transaction by `spend()`: one UPDATE
on the key's row that both checks it is active (a revoked key stops at once, in every
worker) and counts this POST in the current minute. No separate cache write, no extra
commit: on SQLite that extra write used to serialise every POST twice.
"""

from __future__ import annotations

from datetime import datetime

from sigap.lib import memo, rawsql
from sigap.open311.models import ApiKey, hash_key

_BY_HASH = memo.configuration()


def find(raw: str) -> ApiKey | None:
    """Return the active key for `raw` (unknown keys are looked up every time)."""
    if not raw or len(raw) > 200:
        return None
    digest = hash_key(raw)
    return _BY_HASH.get(digest, lambda: ApiKey.objects.for_raw(raw))


def spend(key: ApiKey, now: datetime) -> int | None:
    """Count one POST against the key in this minute (call inside the writing transaction).

    Return the number of POSTs counted in this minute, or None when the key is no longer
    active. The count rolls back with the transaction, so only accepted POSTs use budget.
    """
    minute = int(now.timestamp() // 60)
    row = rawsql.fetch_one(
        ApiKey, "UPDATE {table} SET rate_count = CASE WHEN rate_minute = %s "
        "THEN rate_count + 1 ELSE 1 END, rate_minute = %s WHERE id = %s AND is_active "
        "RETURNING rate_count", [minute, minute, key.pk])
    if row is None:
        _BY_HASH.forget(key.key_hash)
        return None
    return row[0]
