"""Django's Redis cache, with a clear() that removes the cache's own keys only.

Sigap's cache and its Huey queue share one Redis database (REDIS_URL). Django's clear() is a
FLUSHDB, which would also drop every queued and scheduled job; here it deletes the keys under
the cache's KEY_PREFIX (SIGAP_CACHE_PREFIX), in batches, and leaves everything else.
"""

from __future__ import annotations

from django.core.cache.backends import redis


class RedisCache(redis.RedisCache):
    def clear(self) -> bool:
        client = self._cache.get_client(None, write=True)
        batch = []
        for key in client.scan_iter(match=f"{self.key_prefix}:*", count=1000):
            batch.append(key)
            if len(batch) == 1000:
                client.unlink(*batch)
                batch = []
        if batch:
            client.unlink(*batch)
        return True
