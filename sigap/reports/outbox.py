"""The events still to be handled: a transactional outbox, drained by the worker.

Every service that records a report event also writes an Outbox row for it, in the same
transaction (reports.services). After the commit, kick() asks the queue for a drain; the
drain hands each event to the handlers registered with `on_event()` (the notifications app
registers its own in its AppConfig.ready(): this layer never imports that one) and deletes
its row in one transaction per event.

Why not one queued job per event, as before: the job was sent after the commit, so a
process that died in between, or a queue that was down, lost the event's notifications
(and a queue error after the commit turned a stored report into an error page, inviting a
second report). It also cost every write a round trip to the queue (a second SQLite commit
on the embedded default, a Redis command on PostgreSQL).

Coalescing: a process schedules one drain DELAY seconds ahead and sends nothing more until
that time has passed. An event committed before a skipped kick is committed before the
scheduled drain starts, so that drain sees it. A minute-by-minute periodic drain is the
safety net for a kick that could not reach the queue. With the queue in immediate mode
(tests, SIGAP_HUEY_IMMEDIATE) kick() drains at once.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Callable

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from sigap.reports.models import Outbox

log = logging.getLogger(__name__)

DELAY = 0.25  # seconds: how late a notification may start, at most, beyond the queue's own
BATCH = 200

_scheduled_until = 0.0  # this process: a drain is scheduled to start at this monotonic time
_handlers: list[Callable[..., object]] = []


def on_event(handler: Callable[..., object]) -> None:
    """Have the drain call `handler(event_id, now=now)` for each event (idempotent: a failed
    drain hands the event again)."""
    if handler not in _handlers:
        _handlers.append(handler)


def kick(*, clock=time.monotonic) -> None:
    """Make sure a drain will run after now (call after the commit)."""
    global _scheduled_until
    if HUEY.immediate:
        drain_outbox()
        return
    moment = clock()
    if moment < _scheduled_until:
        return  # the drain already scheduled starts after this event's commit
    try:
        drain_outbox.schedule(delay=DELAY)
    except Exception:  # noqa: BLE001 - the event is safe in the outbox; the periodic drain
        log.warning("could not schedule an outbox drain; the periodic drain will run it",
                    exc_info=True)
        return
    _scheduled_until = moment + DELAY


def drain(*, now: datetime, batch: int = BATCH) -> int:
    """Handle every pending event, oldest first; return how many were handled.

    One transaction per event: its notifications and the removal of its row commit
    together. An event whose handling fails stays for the next drain (logged).
    Concurrent drains share the work (SKIP LOCKED on PostgreSQL; SQLite's write lock
    serialises them).
    """
    handled, after = 0, 0
    while True:
        pending = list(Outbox.objects.filter(pk__gt=after).order_by("pk")
                       .values_list("pk", flat=True)[:batch])
        if not pending:
            return handled
        for pk in pending:
            after = pk
            try:
                with transaction.atomic():
                    row = (Outbox.objects.select_for_update(skip_locked=True)
                           .filter(pk=pk).values_list("event_id", flat=True).first())
                    if row is None:
                        continue  # another drain has it
                    for handler in _handlers:
                        handler(row, now=now)
                    Outbox.objects.filter(pk=pk).delete()
                    handled += 1
            except Exception:  # noqa: BLE001 - one bad event must not stop the others
                log.exception("outbox: event %s not handled; kept for the next drain", pk)


@db_task()
def drain_outbox() -> int:
    """Handle the recorded events waiting in the outbox."""
    return drain(now=timezone.now())


@db_periodic_task(crontab(minute="*"))
def drain_outbox_periodically() -> int:
    """Every minute: the safety net for a drain that could not be scheduled."""
    return drain_outbox.call_local()
