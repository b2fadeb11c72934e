"""The read cache of Open311's public GETs: answers keyed by the data version (and the
configuration version, lib/memo.py), never stale.

Every write of public data bumps sigap.reports.freshness inside its transaction
(sigap.lib.publicdata), so an answer cached under the current version is the answer the
database would give now (within the time-relative default window, which moves by at most
SIGAP_READ_CACHE_SECONDS). Two tiers: this worker's memory (no network, no unpickling), then
the shared cache.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

from sigap.lib import memo
from sigap.reports import freshness

# Answers by their size in bytes, each kept SIGAP_READ_CACHE_SECONDS from when it was kept here.
_LOCAL = memo.Memo(lambda: settings.SIGAP_READ_CACHE_SECONDS, getsizeof=lambda hit: len(hit[1]),
                   maxsize=settings.SIGAP_READ_CACHE_LOCAL_MB * 1024 * 1024)


def _keep_here(key: str, hit) -> None:
    if len(hit[1]) <= _LOCAL.maxsize // 4:  # one answer may not push out most of the others
        _LOCAL.put(key, hit)


def answer(request, build):
    """Return the cached answer to this GET under the current data version, or `build()`'s
    (kept when it is a 200)."""
    seconds = settings.SIGAP_READ_CACHE_SECONDS
    if seconds <= 0 or "no-cache" in request.headers.get("Cache-Control", ""):
        return build()  # switched off, or the client asks for a fresh answer
    # Keyed by the configuration version this process knows too: an answer built with
    # category names from before an edit elsewhere (this process has not looked yet,
    # lib/memo.py) is stored where no process that knows of the edit will read it.
    raw = "|".join([request.get_host(), request.path, request.META.get("QUERY_STRING", ""),
                    get_language() or "", str(freshness.version()),
                    memo.configuration_version() or ""])
    key = "open311:" + hashlib.sha256(raw.encode()).hexdigest()
    hit = _LOCAL.get(key)
    if hit is None:
        hit = cache.get(key)
        if hit is not None:
            _keep_here(key, hit)
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
        _keep_here(key, hit)
    return response
