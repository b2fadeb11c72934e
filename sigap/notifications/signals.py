"""The notifications layer's documented signals (STYLE.md §5): how it asks a higher layer.

`takes_push` is sent when an officer is told of a new assignment, to learn which of them get
web push on their phone (sigap.duty keeps the browsers' subscriptions):

    takes_push.send(sender=Notification, user_ids=list[int])

A receiver returns the set of those `user_ids` that have a push subscription. Those are told
on the "push" channel, whose sender falls back to the person's own channel (WhatsApp, SMS or
e-mail) when no push goes through; the others are told on their own channel directly.
"""

from django.dispatch import Signal

takes_push = Signal()


def push_users(*, sender, user_ids: list[int]) -> set[int]:
    """Return the union of the receivers' answers to `takes_push` (empty without one)."""
    found: set[int] = set()
    if not user_ids:
        return found
    for _receiver, answer in takes_push.send(sender=sender, user_ids=list(user_ids)):
        found |= set(answer or ())
    return found
