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
"""

from django.dispatch import Signal

sending_message = Signal()
