"""Web push to a staff member's browsers (pywebpush, VAPID), with their own channel as the
fallback when no push goes through.

The VAPID key pair is generated once into SIGAP_VAPID_KEY_FILE (var/vapid_key.pem,
owner-only), as settings does for var/secret_key, on the first use rather than at import.
"""

from __future__ import annotations

import base64
import json
import logging
import os

from django.conf import settings
from django.urls import reverse

from sigap.duty.models import PushSubscription
from sigap.notifications import channels

log = logging.getLogger(__name__)


def _private_key():
    from cryptography.hazmat.primitives import serialization  # loaded on first push only
    from cryptography.hazmat.primitives.asymmetric import ec

    path = settings.SIGAP_VAPID_KEY_FILE
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it meanwhile: use theirs
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(pem)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_key() -> str:
    """Return the VAPID public key as the browser's applicationServerKey (base64url)."""
    from cryptography.hazmat.primitives import serialization  # loaded on first use only

    raw = _private_key().public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# How long the push service keeps a message for a phone out of signal (pywebpush's default,
# 0, drops it at once: an officer in a dead spot would never hear of the task).
PUSH_TTL = 4 * 3600


class _Gone(Exception):
    pass


def send_push(to: str, subject: str, text: str, *, notification=None) -> bool:
    """The "push" channel's sender: push to each of the user's subscriptions; when none
    takes it, send by the user's own channel (raise DeliveryError if that fails too).
    Without a notification, `to` may be one browser's subscription (JSON: endpoint and
    keys; a citizen following a place, sigap.follows), pushed to as it is."""
    if notification is None and to.startswith("{"):
        return _push_to_browser(to, subject, text)
    user = notification.user if notification is not None else None
    if user is None:
        raise channels.DeliveryError("push without a user")
    # A new task opens on the officer's task page; alerts and pages on the report's page.
    view = "backoffice:task" if notification.purpose == "assignment" else "backoffice:report"
    link = settings.SITE_URL + reverse(view, args=[notification.report.ticket])
    payload = json.dumps({"title": subject, "body": text, "url": link})
    delivered = False
    for sub in PushSubscription.objects.filter(user=user):
        try:
            _webpush(sub, payload)
            delivered = True
        except _Gone:
            sub.delete()  # the browser dropped the subscription: it will not come back
        except Exception as exc:  # noqa: BLE001 - any push failure falls back below
            log.warning("web push to subscription %s failed: %s", sub.pk, exc)
    if delivered:
        return True
    channel = user.notify_channel
    destination = user.email if channel == "email" else user.phone
    if channel == "none" or not destination:
        raise channels.DeliveryError("push failed and no fallback channel")
    channels.send(channel, destination, subject, text, notification=notification)
    return True


def _push_to_browser(to: str, subject: str, text: str) -> bool:
    """Push to one browser's subscription (no account behind it: no fallback channel)."""
    try:
        info = json.loads(to)
        sub = PushSubscription(endpoint=info["endpoint"], p256dh=info["keys"]["p256dh"],
                               auth=info["keys"]["auth"])
    except (ValueError, KeyError, TypeError) as exc:
        raise channels.DeliveryError(f"not a push subscription: {exc}") from None
    lines = text.splitlines()
    link = next((w for line in lines for w in line.split() if w.startswith("http")),
                settings.SITE_URL + "/")
    payload = json.dumps({"title": subject, "body": "\n".join(lines[:4]), "url": link})
    try:
        _webpush(sub, payload)
    except _Gone:
        raise channels.DeliveryError("push subscription gone") from None
    except Exception as exc:  # noqa: BLE001 - any push failure is a delivery failure
        raise channels.DeliveryError(f"push: {exc}") from None
    return True


def _webpush(sub: PushSubscription, payload: str) -> None:
    from py_vapid import Vapid02  # loaded on the first push only
    from pywebpush import WebPushException, webpush

    try:
        webpush(subscription_info={"endpoint": sub.endpoint,
                                   "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                data=payload, vapid_private_key=Vapid02.from_pem(_pem()),
                vapid_claims={"sub": settings.SIGAP_VAPID_SUBJECT}, timeout=10,
                ttl=PUSH_TTL)
    except WebPushException as exc:
        if exc.response is not None and exc.response.status_code in (404, 410):
            raise _Gone from exc
        raise


def _pem() -> bytes:
    _private_key()
    return settings.SIGAP_VAPID_KEY_FILE.read_bytes()
