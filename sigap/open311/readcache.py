"""The read cache of Open311's public GETs: answers keyed by the data version, never stale.

Every write of public data bumps sigap.reports.freshness inside its transaction
(sigap.lib.publicdata), so an answer cached under the current version is the answer the
database would give now (within the time-relative default window, which moves by at most
SIGAP_READ_CACHE_SECONDS). Two tiers: this worker's memory (no network, no unpickling), then
the shared cache.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from sigap.lib import memo
from sigap.reports import freshness

_LOCAL = memo.Bounded(max_bytes=settings.SIGAP_READ_CACHE_LOCAL_MB * 1024 * 1024)


def answer(request, build):
    """Return the cached answer to this GET under the current data version, or `build()`'s
    (kept when it is a 200)."""
    seconds = settings.SIGAP_READ_CACHE_SECONDS
    if seconds <= 0 or "no-cache" in request.headers.get("Cache-Control", ""):
        return build()  # switched off, or the client asks for a fresh answer
    raw = "|".join([request.get_host(), request.path, request.META.get("QUERY_STRING", ""),
                    get_language() or "", str(freshness.version())])
    key = "open311:" + hashlib.sha256(raw.encode()).hexdigest()
    now = time.monotonic()
    local = _LOCAL.get(key)
    hit = local[1] if local is not None and local[0] > now else None
    if hit is None:
        hit = cache.get(key)
        if hit is not None:
            _LOCAL.put(key, (now + seconds, hit), len(hit[1]))
    if hit is not None:
        status, content, headers = hit
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        return response
    response = build()
    if response.status_code == 200:
        hit = (200, response.content, list(response.items()))
        cache.set(key, hit, seconds)
        _LOCAL.put(key, (now + seconds, hit), len(hit[1]))
    return response
