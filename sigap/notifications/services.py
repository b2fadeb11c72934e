"""Who is told about a report event, and through which channel."""


def notifications_for_event(event_id: int) -> None:
    """Create and send the notifications that the event calls for."""
    # Filled in by the notifications work (issue: back office); events are recorded already.
    return None
