"""The notifications layer's documented signals (STYLE.md §5): how it asks the apps above it.

`sending_message` is sent by `channels.send` before the built-in transports (e-mail, the
SMS/WhatsApp gateway) are tried, so that an app above may deliver a channel itself:

    sending_message.send(sender=None, channel=str, to=str, subject=str, text=str,
                         notification=Notification | None)

A receiver answers only for its own channel (`channel`; the WhatsApp conversation app for
"whatsapp", the on-duty app for "push") and returns True when it delivered the message, or
False/None to leave it to the built-in transport. It raises `channels.DeliveryError` when
delivery failed; that error is the caller's (the notification is retried), as it was when
each channel had one registered sender. One receiver per channel.

Why a signal and not a dict of senders: the registry was a hand-written one-per-channel dict
filled from the apps above; the signal is the one mechanism the layers use to call up, and
the `channel` argument keeps the lookup explicit (docs/architecture.md, "Signals").

`takes_push` is sent when officers are told of a new assignment, to learn which of them get
web push on their phone (sigap.duty keeps the browsers' subscriptions):

    takes_push.send(sender=Notification, user_ids=list[int])

A receiver returns the set of those `user_ids` that have a push subscription. Those are told
on the "push" channel, whose sender falls back to the person's own channel (WhatsApp, SMS or
e-mail) when no push goes through; the others are told on their own channel directly.
"""

from django.dispatch import Signal

sending_message = Signal()
takes_push = Signal()


def push_users(*, sender, user_ids: list[int]) -> set[int]:
    """Return the union of the receivers' answers to `takes_push` (empty without one)."""
    found: set[int] = set()
    if not user_ids:
        return found
    for _receiver, answer in takes_push.send(sender=sender, user_ids=list(user_ids)):
        found |= set(answer or ())
    return found
