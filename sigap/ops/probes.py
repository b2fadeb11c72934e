"""The load balancer's probes: `/healthz` (this process answers) and `/readyz` (what it
needs is reachable: database, cache, queue, storage).

Answered by the first middleware, before sessions, the language, the second factor or any
rate limit: a probe must not depend on what it probes (no session row, no throttle counter
in the cache) and must never be redirected. Neither says anything but which check failed.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse

log = logging.getLogger(__name__)

PROBE_PATHS = ("/healthz", "/readyz")


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_cache() -> None:
    key = f"sigap:readyz:{uuid.uuid4().hex}"
    cache.set(key, 1, timeout=10)
    if cache.get(key) != 1:
        raise RuntimeError("value not read back")
    cache.delete(key)


def check_queue() -> None:
    # Imported here: the queue is configured by djhuey when Django's apps are ready.
    from huey.contrib.djhuey import HUEY

    HUEY.pending_count()


def check_storage() -> None:
    # A name that never exists: the answer (False) proves the store answered.
    default_storage.exists("readyz/probe")


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "queue": check_queue,
    "storage": check_storage,
}


def readiness() -> dict[str, str]:
    """Return {check: "ok" or the error's type} for every check."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - each failure is reported, not raised
            log.warning("readyz: %s unreachable: %s", name, type(exc).__name__)
            results[name] = type(exc).__name__
    return results


def healthz(request):
    return JsonResponse({"status": "ok"})


def readyz(request):
    start = time.monotonic()
    results = readiness()
    failed = sorted(name for name, state in results.items() if state != "ok")
    body = {"status": "ok" if not failed else "unavailable", "checks": results,
            "failed": failed, "seconds": round(time.monotonic() - start, 3)}
    return JsonResponse(body, status=503 if failed else 200)
