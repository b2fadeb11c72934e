"""What the notifications app does when a lower layer signals (NotificationsConfig.ready())."""

from __future__ import annotations

from sigap.notifications import tasks


def notifications_for_events(sender, *, event_ids: list[int], now, **kwargs):
    """Recorded events (reports.signals.events_recorded): their notifications' writer."""
    return tasks.handle_events(event_ids, now=now)
