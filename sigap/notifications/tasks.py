"""Background work for notifications and the SLA ladder. Tasks take primary keys.

The tasks are the edge: they read the clock once and pass `now` into the services.
"""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def deliver_notification(notification_id: int) -> str | None:
    """Send one notification; a failure is rescheduled with back-off by the service."""
    from sigap.notifications import services

    return services.deliver(notification_id, now=timezone.now())


@db_periodic_task(crontab(minute="*"))
def retry_notifications() -> list[int]:
    """Every minute: deliver the notifications whose retry time has come."""
    from sigap.notifications import services

    return services.retry_due(timezone.now())


@db_periodic_task(crontab(minute="*"))
def escalate_sla() -> list[int]:
    """Every minute: move reports up the SLA ladder (safe to run twice, or in two workers)."""
    from sigap.reports import sla

    return sla.run_escalations(timezone.now())
