"""The middleware of a node in a cluster: probes first, then the request id and the
configuration check for everything else."""

from __future__ import annotations

import logging
import time

from sigap.lib import memo, requestid
from sigap.ops import probes

log = logging.getLogger("sigap.request")


def probes_and_request_id(get_response):
    """Answer /healthz and /readyz at once; give every other request its id (X-Request-ID
    from the load balancer, or a new one) for its log lines, its jobs and its answer, and
    let this process notice a configuration changed elsewhere (lib/memo.py)."""

    def middleware(request):
        if request.path_info == "/healthz":
            return probes.healthz(request)
        if request.path_info == "/readyz":
            return probes.readyz(request)
        rid = requestid.accept(request.META.get("HTTP_X_REQUEST_ID"))
        token = requestid.current.set(rid)
        start = time.monotonic()
        try:
            request.request_id = rid
            memo.check_configuration()
            response = get_response(request)
            if log.isEnabledFor(logging.INFO):
                log.info("%s %s %s %.1f ms", request.method, request.path_info,
                         response.status_code, (time.monotonic() - start) * 1000,
                         extra={"method": request.method, "path": request.path_info,
                                "status": response.status_code})
        finally:
            requestid.current.reset(token)
        response["X-Request-ID"] = rid
        return response

    return middleware
