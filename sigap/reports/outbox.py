"""The events still to be handled: a transactional outbox, drained by the worker.

Every service that records a report event also writes an Outbox row for it, in the same
transaction (reports.services). After the commit, kick() asks the queue for a drain; the
drain works out each event's notifications (notifications.services, idempotent) and
deletes its row in one transaction per event.

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

from django.db import transaction

log = logging.getLogger(__name__)

DELAY = 0.25  # seconds: how late a notification may start, at most, beyond the queue's own
BATCH = 200

_scheduled_until = 0.0  # this process: a drain is scheduled to start at this monotonic time


def kick(*, clock=time.monotonic) -> None:
    """Make sure a drain will run after now (call after the commit)."""
    global _scheduled_until
    from huey.contrib.djhuey import HUEY

    from sigap.reports import tasks

    if HUEY.immediate:
        tasks.drain_outbox()
        return
    moment = clock()
    if moment < _scheduled_until:
        return  # the drain already scheduled starts after this event's commit
    try:
        tasks.drain_outbox.schedule(delay=DELAY)
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
    from sigap.notifications.services import notifications_for_event
    from sigap.reports.models import Outbox

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
                    notifications_for_event(row, now=now)
                    Outbox.objects.filter(pk=pk).delete()
                    handled += 1
            except Exception:  # noqa: BLE001 - one bad event must not stop the others
                log.exception("outbox: event %s not handled; kept for the next drain", pk)
