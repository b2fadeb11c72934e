"""On Redis, clearing the cache spares the Huey queue that shares its database."""

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.skipif(type(caches["default"]).__name__ != "RedisCache",
                                reason="the cache is Redis only when REDIS_URL is set")


def test_clear_removes_the_caches_keys_and_nothing_else():
    cache = caches["default"]
    client = cache._cache.get_client(None, write=True)
    queued = f"huey.redis.{cache.key_prefix}.marker"  # a key outside the cache's prefix
    client.rpush(queued, b"job")
    try:
        for i in range(1500):  # more keys than one batch of deletions
            cache.set(f"k{i}", i, 60)
        assert cache.get("k1499") == 1499
        assert cache.clear() is True
        assert cache.get("k0") is None and cache.get("k1499") is None
        assert not list(client.scan_iter(match=f"{cache.key_prefix}:*"))
        assert client.lrange(queued, 0, -1) == [b"job"]
    finally:
        client.delete(queued)
