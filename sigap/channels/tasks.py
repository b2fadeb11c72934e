"""Background work for the chat channels. Tasks take primary keys and read the clock."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sigap.channels import services

log = logging.getLogger(__name__)


@db_task(retries=5, retry_delay=5)
def process_conversation(conversation_id: int) -> int:
    """Handle a conversation's pending messages; a photo that cannot be fetched yet raises,
    and the task is retried (the periodic sweep is the net under the retries)."""
    return services.process(conversation_id, now=timezone.now(), send=send_outbound)


@db_task(retries=5, retry_delay=10)
def send_outbound(ids: list[int]) -> None:
    services.send_queued(ids, now=timezone.now())


def sweep(now) -> int:
    """Process the conversations whose messages are still pending; return how many."""
    done = 0
    queued = services.stale_outbound(now)
    if queued:
        services.send_queued(queued, now=now)  # replies whose sending task was lost
    for conversation_id in services.stale_conversations(now):
        try:
            services.process(conversation_id, now=now, send=send_outbound)
            done += 1
        except services.MediaPending:
            log.warning("conversation %s: a photo is still not available", conversation_id)
    return done


@db_periodic_task(crontab(minute="*"))
def sweep_conversations() -> int:
    """Every minute: the safety net for messages whose task failed or was lost."""
    return sweep(timezone.now())
