"""Background work for notifications and the SLA ladder. Tasks take primary keys.

The tasks are the edge: they read the clock once and pass `now` into the services.
"""

import functools

from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sigap.notifications import services
from sigap.reports.services import sla


def handle_event(event_id: int, *, now) -> list[int]:
    """The outbox's handler (registered in NotificationsConfig.ready()): create the event's
    notifications and, once committed, queue one job that delivers them all."""
    ids = services.notifications_for_event(event_id, now=now)
    if ids:
        transaction.on_commit(functools.partial(deliver_notifications, ids))
    return ids


@db_task()
def deliver_notifications(notification_ids: list[int]) -> list[str | None]:
    """Send an event's notifications; a failure is rescheduled with back-off by the service."""
    return [services.deliver(pk, now=timezone.now()) for pk in notification_ids]


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
