"""Background work of the rota and paging. The tasks read the clock once (the edge)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task  # noqa: F401

from sigap.duty import paging


@db_task()
def page_due() -> list:
    """Take the callout steps that are due now (a new emergency's first page)."""
    return paging.run_due(timezone.now())


@db_periodic_task(crontab(minute="*"))
def repage_due() -> list:
    """Every minute: re-page, and escalate, the emergencies nobody acknowledged (safe to run
    twice, or in two workers: each step is claimed once)."""
    return paging.run_due(timezone.now())
