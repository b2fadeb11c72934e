"""Background work for notifications and the SLA ladder. Tasks take primary keys.

The tasks are the edge: they read the clock once and pass `now` into the services.
"""

import functools
import logging

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sigap.notifications import services
from sigap.reports.services import sla

log = logging.getLogger(__name__)


def handle_events(event_ids: list[int], *, now):
    """The outbox's handler (reports.signals.events_recorded, notifications.receivers): work
    out the events' notifications (reads, outside the drain's transaction) and return the
    writer the drain runs in its transaction; once that commits, one job delivers what is due
    now and one more, scheduled for the end of the citizens' coalescing window, what waits
    for it."""
    plan = services.plan_notifications(event_ids, now=now)
    if not plan:
        return None

    def write(held: list[int]) -> None:
        pending = services.store_notifications(plan, held, now=now)
        due = [pk for pk, at in pending if at is None or at <= now]
        later = [(pk, at) for pk, at in pending if at is not None and at > now]
        if due:
            transaction.on_commit(functools.partial(deliver_notifications, due))
        if later:
            wait = (max(at for _, at in later) - now).total_seconds()
            transaction.on_commit(functools.partial(
                _schedule, [pk for pk, _ in later], wait + LATE))

    return write


LATE = 0.5  # seconds after a window's end, so that the job finds the notification due


def _schedule(ids: list[int], delay: float) -> None:
    try:
        deliver_notifications.schedule(args=(ids,), delay=delay)
    except Exception:  # noqa: BLE001 - retry_notifications sends them within a minute anyway
        log.warning("could not schedule a delivery; the periodic retry will send it",
                    exc_info=True)


@db_task()
def deliver_notifications(notification_ids: list[int]) -> dict[int, str]:
    """Send a batch of notifications; a failure is rescheduled with back-off by the service."""
    return services.deliver_many(notification_ids, now=timezone.now())


@db_task()
def deliver_notification(notification_id: int) -> str | None:
    """Send one notification (kept for jobs queued before deliveries were grouped)."""
    return services.deliver(notification_id, now=timezone.now())


@db_periodic_task(crontab(minute="*"))
def retry_notifications() -> list[int]:
    """Every minute: deliver the notifications whose retry time has come."""
    return services.retry_due(timezone.now())


@db_periodic_task(crontab(minute="*"))
def escalate_sla() -> list[int]:
    """Every minute: move reports up the SLA ladder (safe to run twice, or in two workers)."""
    return sla.run_escalations(timezone.now())
