"""API keys on the POST path: who is asking (memoised), and their per-minute budget.

Finding the key by its hash is memoised per worker for SIGAP_CONFIG_CACHE_SECONDS, but
whether it still counts is decided inside the report's own transaction by `charge()`: one
conditional UPDATE on the key's row that both checks it is active (a revoked key stops at
once, in every worker) and counts this POST in the current minute, under the key's rate.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Case, F, Q, Value, When

from sigap.lib import memo
from sigap.open311.models import ApiKey, hash_key

_BY_HASH = memo.configuration()


def find(raw: str) -> ApiKey | None:
    """Return the active key for `raw` (unknown keys are looked up every time)."""
    if not raw or len(raw) > 200:
        return None
    digest = hash_key(raw)
    return _BY_HASH.get(digest, lambda: ApiKey.objects.for_raw(raw))


def charge(key: ApiKey, now: datetime) -> bool:
    """Count one POST against the key in this minute; return False to refuse it.

    Call it inside the transaction that writes the report: the key's row matches only while
    it is active and under its rate for the minute (a new minute starts the count again),
    and a report that is not written gives its budget back with the rollback.
    """
    minute = int(now.timestamp() // 60)
    return bool(ApiKey.objects.filter(pk=key.pk, is_active=True).filter(
        ~Q(rate_minute=minute) | Q(rate_count__lt=key.rate_per_minute)).update(
        rate_count=Case(When(rate_minute=minute, then=F("rate_count") + 1), default=Value(1)),
        rate_minute=minute))


def is_active(key: ApiKey) -> bool:
    """Whether the key still counts (read again: it may have been revoked since it was found)."""
    active = ApiKey.objects.filter(pk=key.pk, is_active=True).exists()
    if not active:
        _BY_HASH.forget(key.key_hash)
    return active
