"""The events still to be handled: a transactional outbox, drained by the worker.

Every service that records a report event also writes an Outbox row for it, in the same
transaction (reports.services). After the commit, kick() asks the queue for a drain; the
drain hands each batch of events to the receivers of `signals.events_recorded` (the
notifications and on-duty apps connect theirs in their AppConfig.ready(): this layer never
imports them) and deletes their rows in one transaction per batch.

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
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from sigap.reports.models import Outbox
from sigap.reports.signals import events_recorded

log = logging.getLogger(__name__)

DELAY = 0.25  # seconds: how late a notification may start, at most, beyond the queue's own
BATCH = 200

_scheduled_until = 0.0  # this process: a drain is scheduled to start at this monotonic time


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


def _prepare(event_ids: list[int], now: datetime) -> list:
    """Return the receivers' writers for these events (signals.events_recorded)."""
    return [write for _receiver, write in events_recorded.send(
        sender=Outbox, event_ids=event_ids, now=now) if write]


def _commit(rows: list[tuple[int, int]], writers: list) -> int:
    """In one transaction: the writers for the rows this drain still holds, and their
    removal; return how many were handled."""
    with transaction.atomic():
        held = list(Outbox.objects.select_for_update(skip_locked=True)
                    .filter(pk__in=[pk for pk, _ in rows]).order_by("pk")
                    .values_list("pk", "event_id"))
        if not held:
            return 0  # another drain handled them meanwhile
        for write in writers:
            write([event_id for _, event_id in held])
        Outbox.objects.filter(pk__in=[pk for pk, _ in held]).delete()
    return len(held)


def drain(*, now: datetime, batch: int = BATCH) -> int:
    """Handle every pending event, oldest first; return how many were handled.

    A batch at a time: the handlers read what they need outside any transaction, then one
    short transaction writes their results (the notifications) and removes the batch's
    rows. On SQLite that is one turn of the writers' lock per batch, not one per event,
    and none while reading. A batch whose handling fails is retried event by event, so that
    one bad event stays (logged) for the next drain and the others go through. Concurrent
    drains share the work (SKIP LOCKED on PostgreSQL; on SQLite the writers' lock
    serialises them and a row already removed is not handled twice).
    """
    handled, after = 0, 0
    while True:
        rows = list(Outbox.objects.filter(pk__gt=after).order_by("pk")
                    .values_list("pk", "event_id")[:batch])
        if not rows:
            return handled
        after = rows[-1][0]
        try:
            handled += _commit(rows, _prepare([e for _, e in rows], now))
            continue
        except Exception:  # noqa: BLE001 - find the bad event below
            if len(rows) == 1:
                log.exception("outbox: event %s not handled; kept for the next drain",
                              rows[0][0])
                continue
        for row in rows:
            try:
                handled += _commit([row], _prepare([row[1]], now))
            except Exception:  # noqa: BLE001 - one bad event must not stop the others
                log.exception("outbox: event %s not handled; kept for the next drain", row[0])


@db_task()
def drain_outbox() -> int:
    """Handle the recorded events waiting in the outbox."""
    return drain(now=timezone.now())


@db_periodic_task(crontab(minute="*"))
def drain_outbox_periodically() -> int:
    """Every minute: the safety net for a drain that could not be scheduled."""
    return drain_outbox.call_local()
