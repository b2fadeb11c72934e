"""What the follows app does when a lower layer signals (FollowsConfig.ready())."""

from __future__ import annotations

from sigap.follows import services


def follow_items_for_events(sender, *, event_ids: list[int], now, **kwargs):
    """Recorded events (reports.signals.events_recorded): the writer of the follow items
    they call for (read now, outside the drain's transaction; written in it)."""
    items = services.plan_items(event_ids, now=now)
    if not items:
        return None

    def write(held: list[int]) -> None:
        services.store_items(items, held)

    return write
