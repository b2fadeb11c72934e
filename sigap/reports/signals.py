"""The reports layer's documented signals (STYLE.md §5): how it asks a higher layer.

`events_recorded` is sent by the outbox's drain (`outbox.drain`) for each batch of recorded
events, oldest first, outside any transaction:

    events_recorded.send(sender=Outbox, event_ids=list[int], now=datetime)

A receiver reads what it needs and returns a function `write(event_ids)`, or None when it has
nothing to write; the drain calls every returned function inside the batch's one transaction
with the events it still holds (all of them, or fewer when another drain took some
meanwhile). Receivers run in the order they were connected (the notifications app, then the
on-duty app); an exception fails the batch, which is then retried event by event, so one bad
event stays (logged) in the outbox for the next drain and the others go through. Both the
receiver and its writer must be idempotent: a failed drain hands the events again.

`who_is_on_duty` is sent by `services.auto_assign` before it picks an officer:

    who_is_on_duty.send(sender=Report, agency_id=int, team_id=int, user_ids=list[int],
                        now=datetime)

A receiver returns the set of those `user_ids` that are on duty at `now`, or None when it
has no say for this agency (the on-duty rota in `sigap.duty` answers None for an agency
without a rota). The first answer that is not None wins; without one the `User.on_duty` flag
decides, as it did before the rota existed.

`report_created` is sent by `services.create_report` once a new report and its CREATED event
are written (after its transaction, or inside the caller's when the caller holds one):

    report_created.send(sender=Report, report_id=int, now=datetime)

A receiver may move the report on through the services (the recognition app verifies the
report of a trusted reporter, as the system) and returns True when it changed the report, so
that `create_report` hands back the report as it now is; otherwise it returns a false value.
An exception propagates to the caller of `create_report`.
"""

from django.dispatch import Signal

events_recorded = Signal()
who_is_on_duty = Signal()
report_created = Signal()


def on_duty_answer(*, sender, agency_id: int, team_id: int | None, user_ids: list[int],
                   now) -> set[int] | None:
    """Return the receivers' first answer to `who_is_on_duty`, or None."""
    for _receiver, answer in who_is_on_duty.send(sender=sender, agency_id=agency_id,
                                                 team_id=team_id, user_ids=user_ids, now=now):
        if answer is not None:
            return set(answer)
    return None
