"""Alerts through the outbox (reports.signals.events_recorded): a report that arrives at an agency
(new, or re-routed to it) alerts the desk on duty, each person by their own channel; an
emergency opens a callout (duty.paging) whose pages and escalation are events, alerted here
to the people the event names.

The alerts are Notification rows (purposes "alert" and "page"), delivered, retried and kept
unique per (event, recipient) by sigap.notifications like any other message.
"""

from __future__ import annotations

import functools
import logging

from django.db import transaction

from sigap.accounts.models import User
from sigap.duty import paging, tasks
from sigap.duty.models import Callout, PushSubscription
from sigap.duty.services import desk_on_duty
from sigap.notifications import services as notify, tasks as notify_tasks
from sigap.notifications.models import Notification
from sigap.reports.models import ReportEvent

log = logging.getLogger(__name__)
K = ReportEvent.Kind
P = Notification.Purpose
ARRIVALS = (K.CREATED, K.REASSIGNED)
PAGES = (K.PAGE, K.PAGE_ESCALATED)


def recipient_for(user, push_users: set[int]) -> notify.Recipient | None:
    """Return how to alert a staff member: web push when their browser subscribed (the push
    sender falls back to their own channel), else their own channel."""
    if user.pk in push_users and user.is_active:
        return notify.Recipient(f"u:{user.pk}", "push", f"u:{user.pk}", user.language or "id",
                                user.pk)
    return notify._user_recipient(user)


def plan(event_ids: list[int], *, now):
    """Return (notifications, callouts) for these events, unsaved (reads only)."""
    events = list(ReportEvent.objects.select_related("report__agency__city")
                  .filter(pk__in=event_ids, kind__in=ARRIVALS + PAGES))
    if not events:
        return [], []
    wanted: list[tuple[ReportEvent, User, str]] = []
    for event in events:
        report = event.report
        if event.kind in ARRIVALS:
            wanted += [(event, u, P.ALERT) for u in desk_on_duty(report.agency, event.at)]
        else:
            ids = event.data.get("to") or []
            wanted += [(event, u, P.PAGE) for u in User.objects.filter(pk__in=ids)]
    push_users = set(PushSubscription.objects.filter(
        user_id__in={u.pk for _, u, _ in wanted}).values_list("user_id", flat=True))
    rows = []
    for event, user, purpose in wanted:
        rec = recipient_for(user, push_users)
        if rec is None or rec.user_id == event.actor_id:
            continue
        rows.append(Notification(event=event, report=event.report, recipient=rec.key,
                                 user_id=rec.user_id, channel=rec.channel,
                                 destination=rec.destination, language=rec.language,
                                 purpose=purpose, created_at=now))
    return rows, paging.plan_callouts(events)


def handle_events(event_ids: list[int], *, now):
    """The outbox's handler (connected in DutyConfig.ready())."""
    rows, callouts = plan(event_ids, now=now)
    if not rows and not callouts:
        return None

    def write(held: list[int]) -> None:
        held_set = set(held)
        mine = [n for n in rows if n.event_id in held_set]
        if mine:
            Notification.objects.bulk_create(mine, ignore_conflicts=True)
            due = list(Notification.objects.filter(
                event_id__in=held, purpose__in=(P.ALERT, P.PAGE), attempts=0,
                state=Notification.State.PENDING).values_list("pk", flat=True))
            if due:
                transaction.on_commit(functools.partial(
                    notify_tasks.deliver_notifications, due))
        opened = [c for c in callouts if c.trigger_id in held_set]
        if opened:
            Callout.objects.bulk_create(opened, ignore_conflicts=True)
            transaction.on_commit(_page_now)

    return write


def _page_now() -> None:
    """After the commit: the first page goes out at once (the minute job is the safety net
    for a queue that cannot be reached)."""
    try:
        tasks.page_due()
    except Exception:  # noqa: BLE001 - the callout is stored; the periodic job pages it
        log.warning("could not queue the first page; the periodic job will send it",
                    exc_info=True)
