"""What the on-duty app does when a lower layer signals (connected in DutyConfig.ready())."""

from __future__ import annotations

from sigap.duty import alerts, pack, push


def alerts_for_events(sender, *, event_ids: list[int], now, **kwargs):
    """Recorded events (reports.signals.events_recorded): the desk alerts' and pages' writer."""
    return alerts.handle_events(event_ids, now=now)


def load_paging_rules(sender, *, city, folder, agencies, result, upsert, **kwargs) -> None:
    """The city pack loads (cities.signals.pack_loaded): data/<city>/paging.csv."""
    pack.load_paging_rules(city, folder, agencies, result, upsert)


def send_push(sender, *, channel: str, to: str, subject: str, text: str, notification=None,
              **kwargs) -> bool | None:
    """A message to send (notifications.signals.sending_message): the "push" channel's."""
    if channel != "push":
        return None
    return push.send_push(to, subject, text, notification=notification)
