"""Background work for accounts. A sign-in code is sent by the worker: a slow SMS gateway
(up to its timeout) would otherwise hold a web worker, and with one sync worker per core a
few slow sends hold them all."""

from huey.contrib.djhuey import db_task

# The code travels by the notification channels' transport (no models; see
# tests/test_layers.py for why this arrow points up).
from sigap.notifications import channels


@db_task(retries=2, retry_delay=5)
def send_code(channel: str, destination: str, subject: str, text: str) -> None:
    """Send a sign-in code's message; retried twice on a delivery failure."""
    channels.send(channel, destination, subject, text)
