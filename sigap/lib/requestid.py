"""The request id: one id per web request, carried into the jobs that request queues.

The web node takes it from the load balancer's `X-Request-ID` (or makes one), keeps it in a
context variable for the request's thread, and every log record carries it
(`RequestIdFilter`); a job queued during the request takes it along in its keyword
arguments (`lib/hueycluster.py`), and the worker sets it again while it runs that job, so
one id follows a report from the POST to the notification it sent.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

current: contextvars.ContextVar[str] = contextvars.ContextVar("sigap_request_id", default="")

# What a proxy may send: letters, digits and - _ . : up to 64 characters; anything else is
# replaced by an id of our own (a header is outside input, and it lands in every log line).
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def new() -> str:
    return uuid.uuid4().hex


def accept(raw: str | None) -> str:
    """Return the id a proxy sent when it is acceptable, else a new one."""
    if raw and _ACCEPTABLE.fullmatch(raw):
        return raw
    return new()


class RequestIdFilter(logging.Filter):
    """Give every log record a `request_id` (empty outside a request or job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True
