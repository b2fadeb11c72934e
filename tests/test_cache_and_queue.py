"""On Redis, the cache and Huey's queue live in two databases: the cache's clear() (a FLUSHDB)
never drops a queued or scheduled job."""

import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta

import pytest
from django.core.cache.backends.redis import RedisCache
from django.conf import settings
from huey import RedisHuey

from sigap import settings as sigap_settings


def settings_under(env):
    """Return (cache location, Huey class, Huey URL) as sigap.settings makes them for `env`,
    or the error it stops with."""
    full = {k: v for k, v in os.environ.items()
            if not k.startswith(("SIGAP_", "DATABASE_URL", "REDIS_URL"))}
    full.update(env, DJANGO_SETTINGS_MODULE="sigap.settings")
    code = ("from django.conf import settings as s; "
            "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], "
            "s.HUEY['huey_class'], s.HUEY.get('url'), sep='|')")
    done = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True,
                          text=True, timeout=60)
    if done.returncode:
        return done.stderr.strip().splitlines()[-1]
    return done.stdout.strip().split("|")


def test_one_redis_url_gives_the_cache_its_database_and_the_queue_the_next():
    backend, cache_at, huey, queue_at = settings_under({"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert backend == "django.core.cache.backends.redis.RedisCache"  # Django's own
    assert (cache_at, huey, queue_at) == (
        "redis://127.0.0.1:6379/3", "sigap.lib.hueycluster.RedisHuey", "redis://127.0.0.1:6379/4")


def test_the_queue_can_be_named_and_may_not_share_the_caches_database():
    _b, cache_at, _h, queue_at = settings_under({
        "REDIS_URL": "redis://127.0.0.1:6379/3",
        "SIGAP_QUEUE_REDIS_URL": "redis://queue.example:6380/0"})
    assert (cache_at, queue_at) == ("redis://127.0.0.1:6379/3", "redis://queue.example:6380/0")
    refused = settings_under({"REDIS_URL": "redis://127.0.0.1:6379/3",
                              "SIGAP_QUEUE_REDIS_URL": "redis://127.0.0.1/3"})
    assert "ImproperlyConfigured" in refused and "names the cache's database" in refused
    refused = settings_under({"REDIS_URL": "redis://127.0.0.1:6379/15"})
    assert "ImproperlyConfigured" in refused and "SIGAP_QUEUE_REDIS_URL" in refused


def test_without_redis_the_cache_is_the_database_and_the_queue_sqlite():
    backend, _l, huey, queue_at = settings_under({})
    assert backend == "django.core.cache.backends.db.DatabaseCache"
    assert (huey, queue_at) == ("sigap.lib.hueysqlite.SqliteHuey", "None")


@pytest.mark.parametrize("url,db,queue", [
    ("redis://127.0.0.1:6379", 0, "redis://127.0.0.1:6379/1"),
    ("redis://:secret@cache.example:6379/7", 7, "redis://:secret@cache.example:6379/8"),
    ("rediss://cache.example/2?ssl_cert_reqs=none", 2,
     "rediss://cache.example/3?ssl_cert_reqs=none"),
    ("redis://127.0.0.1:6379/0?db=5", 5, "redis://127.0.0.1:6379/0?db=6"),
    ("unix:///run/redis.sock?db=2", 2, "unix:///run/redis.sock?db=3"),
    ("unix:///run/redis.sock", 0, "unix:///run/redis.sock?db=1"),
])
def test_it_reads_and_moves_the_database_in_every_shape_of_url(url, db, queue):
    assert sigap_settings.redis_database(url) == db
    assert sigap_settings.redis_url_with_database(url, db + 1) == queue
    assert sigap_settings.redis_database(queue) == db + 1


@pytest.mark.skipif(not settings.REDIS_URL, reason="the cache and the queue are on Redis only "
                    "when REDIS_URL is set (the PostgreSQL/Redis leg)")
def test_clearing_the_cache_keeps_the_queued_and_scheduled_jobs():
    # The layout the settings give (cache on N, queue on N + 1), on a spare pair of databases:
    # the clear below empties its cache's whole database, as in production, and the other
    # test process keeps its own cache on N meanwhile.
    assert settings.HUEY["huey_class"] == "sigap.lib.hueycluster.RedisHuey"
    n = sigap_settings.redis_database(settings.REDIS_URL)
    assert sigap_settings.redis_database(settings.HUEY["url"]) == n + 1
    spare = (n + 2) % 14
    cache_url = sigap_settings.redis_url_with_database(settings.REDIS_URL, spare)
    private = RedisCache(cache_url, {})
    queue = RedisHuey(f"test-{uuid.uuid4().hex[:8]}",
                      url=sigap_settings.redis_url_with_database(cache_url, spare + 1))

    @queue.task()
    def job():
        pass

    try:
        job()
        # What the consumer does with a job whose time has not come: it waits in the schedule.
        later = job.s()
        later.eta = datetime.now() + timedelta(hours=1)
        queue.add_schedule(later)
        private.set("marker", 1, 60)
        assert private.get("marker") == 1
        assert private.clear() is True
        assert private.get("marker") is None
        assert (queue.pending_count(), queue.scheduled_count()) == (1, 1)
    finally:
        queue.flush()


@pytest.mark.skipif(not settings.REDIS_URL, reason="the test processes share a Redis cache "
                    "database only on the PostgreSQL/Redis leg")
def test_a_test_process_clears_only_its_own_cache_keys():
    """Every test ends by emptying its process's cache: on Redis that must leave the other
    test process's keys (the worker's stored figures, mid-test) where they are."""
    from django.core.cache import cache

    from conftest import _redis_client, clear_this_process_cache

    client = _redis_client(settings.CACHES["default"]["LOCATION"])
    other = f"test-another-process-{uuid.uuid4().hex[:8]}:1:figures"
    client.set(other, b"1", ex=60)
    cache.set("mine", 1, 60)
    try:
        clear_this_process_cache()
        assert cache.get("mine") is None
        assert client.get(other) == b"1"
    finally:
        client.delete(other)
