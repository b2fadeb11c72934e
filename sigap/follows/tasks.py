"""Background work for follows. Tasks take primary keys and read the clock at the edge."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from sigap.follows import services


@db_task(retries=3, retry_delay=60)
def send_confirmation(follow_id: int) -> bool:
    """Send an unconfirmed follow its confirmation link (retried by the queue)."""
    return services.send_confirmation(follow_id)


@db_periodic_task(crontab(minute="*"))
def send_follow_messages() -> dict[int, str]:
    """Every minute: claim the follows' due news and send each message once."""
    return services.send_due(timezone.now())
