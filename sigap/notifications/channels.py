"""Delivery channels: console (development), e-mail (Django backends), webhook gateway.

SMS and WhatsApp go through an outbound webhook gateway: Sigap POSTs JSON
{"channel", "to", "text"} to SIGAP_SMS_WEBHOOK_URL, signed with an HMAC-SHA256 of the body in
the X-Sigap-Signature header when SIGAP_SMS_WEBHOOK_SECRET is set. A city plugs in any SMS
or WhatsApp provider behind that URL.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.request

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from sigap.notifications.signals import sending_message

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """The channel could not deliver; the caller may retry later."""


def send_email(to: str, subject: str, text: str, html: str | None = None, *,
               headers: dict[str, str] | None = None) -> None:
    try:
        mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to],
                                      headers=headers or None)
        if html:
            mail.attach_alternative(html, "text/html")
        mail.send()
    except Exception as exc:  # noqa: BLE001 - every backend failure is a delivery failure
        raise DeliveryError(str(exc)) from exc


def send_webhook(channel: str, to: str, text: str, *, timeout: float = 10.0) -> None:
    url = settings.SIGAP_SMS_WEBHOOK_URL
    if not url:
        # No gateway configured: the server's log is the gateway (development and tests),
        # once per message (it was printed and logged: every message showed twice).
        log.warning("[%s → %s] %s", channel, to, text)
        return
    body = json.dumps({"channel": channel, "to": to, "text": text}).encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    if settings.SIGAP_SMS_WEBHOOK_SECRET:
        signature = hmac.new(settings.SIGAP_SMS_WEBHOOK_SECRET.encode(), body,
                             hashlib.sha256).hexdigest()
        request.add_header("X-Sigap-Signature", signature)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status >= 300:
                raise DeliveryError(f"gateway answered {response.status}")
    except DeliveryError:
        raise
    except Exception as exc:  # noqa: BLE001 - network errors are delivery failures
        raise DeliveryError(str(exc)) from exc


def send(channel: str, to: str, subject: str, text: str, html: str | None = None, *,
         notification=None, headers: dict[str, str] | None = None) -> None:
    """Deliver one message through `channel` (email, sms, whatsapp, push); raise
    DeliveryError. `headers`: extra e-mail headers (List-Unsubscribe)."""
    answers = sending_message.send(sender=None, channel=channel, to=to, subject=subject,
                                   text=text, notification=notification)
    if any(delivered for _receiver, delivered in answers):
        return  # an app above delivered it (signals.sending_message); else the gateway below
    if channel == "email":
        if headers:
            send_email(to, subject, text, html, headers=headers)
        else:
            send_email(to, subject, text, html)
    elif channel in ("sms", "whatsapp"):
        send_webhook(channel, to, text)
    else:
        raise DeliveryError(f"unknown channel {channel!r}")
