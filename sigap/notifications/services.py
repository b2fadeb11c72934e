"""Who is told about a report event, through which channel, and the delivery of each message.

- Citizens (the reporter, followers, or an anonymous reporter's contact e-mail/phone) hear of
  every public status change and public note, in their chosen channel and language.
- Officers hear of their assignments; the SLA ladder reminds the assignee and escalates to
  the agency head and then the city administrator (see reports/services/sla.py).

Each message is a `Notification` row (unique per event and recipient, so never sent twice),
delivered by a task; a failed delivery is retried with back-off until MAX_ATTEMPTS.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sigap.accounts.models import Role, User
from sigap.cities.models import City
from sigap.notifications import channels, signals
from sigap.notifications.models import Notification, Unsubscribed
from sigap.reports import sla, workflow
from sigap.reports.models import ReportEvent

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
# Wait after the n-th failed attempt (1-based): 1 min, 5 min, 30 min, 2 h, 12 h.
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30),
           timedelta(hours=2), timedelta(hours=12)]
UNSUBSCRIBE_SALT = "sigap.notifications.unsubscribe"

P = Notification.Purpose


@dataclass(frozen=True)
class Recipient:
    key: str  # u:<user id>, e:<email>, p:<phone>
    channel: str
    destination: str
    language: str = "id"
    user_id: int | None = None


def backoff(attempts: int) -> timedelta:
    """Return the wait before the next attempt after `attempts` failed ones."""
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


# --- Recipients ---------------------------------------------------------------------------

def _user_recipient(user) -> Recipient | None:
    """Return how to reach a user in their chosen channel, or None (opted out / no address)."""
    if user is None or not user.is_active:
        return None
    channel = user.notify_channel
    if channel == "none":
        return None
    if channel == "email" and not user.email and user.phone:
        channel = "sms"
    if channel in ("sms", "whatsapp") and not user.phone and user.email:
        channel = "email"
    destination = user.email if channel == "email" else user.phone
    if not destination:
        return None
    return Recipient(f"u:{user.pk}", channel, destination, user.language or "id", user.pk)


def _push_recipient(user) -> Recipient | None:
    """Return a staff member's web-push recipient (the push sender falls back to their own
    channel), or None for an inactive account."""
    if user is None or not user.is_active:
        return None
    return Recipient(f"u:{user.pk}", "push", f"u:{user.pk}", user.language or "id", user.pk)


def _contact_recipient(report) -> Recipient | None:
    """Return the anonymous reporter's contact (e-mail first, else SMS), unless unsubscribed."""
    if report.contact_email:
        rec = Recipient(f"e:{report.contact_email.lower()}", "email", report.contact_email)
    elif report.contact_phone:
        # A report that came by WhatsApp is answered on the same chat (sigap.channels).
        channel = "whatsapp" if report.source == "whatsapp" else "sms"
        rec = Recipient(f"p:{report.contact_phone}", channel, report.contact_phone)
    else:
        return None
    if Unsubscribed.objects.filter(destination=rec.key).exists():
        return None
    return rec


def is_citizen_update(event) -> bool:
    """Return whether citizens hear of this event: a public status change or public note."""
    K = ReportEvent.Kind
    if not event.is_public:
        return False
    if event.kind in (K.PUBLIC_NOTE, K.SLA_PAUSED):
        return True
    if event.kind in (K.STATUS, K.ASSIGNED, K.DUPLICATE):
        return bool(event.new) and event.old != event.new
    return False


def recipients_for(event) -> list[tuple[Recipient, str]]:
    """Return (recipient, purpose) pairs for an event; the actor never hears of their own act."""
    K = ReportEvent.Kind
    report = event.report
    out: dict[str, tuple[Recipient, str]] = {}

    def add(rec, purpose):
        if rec is not None and rec.user_id != event.actor_id and rec.key not in out:
            out[rec.key] = (rec, purpose)

    if is_citizen_update(event):
        if report.reporter is not None:
            add(_user_recipient(report.reporter), P.STATUS)
        else:
            add(_contact_recipient(report), P.STATUS)
        followers = User.objects.filter(following__report=report).exclude(
            pk=report.reporter_id or 0)
        for user in followers:
            add(_user_recipient(user), P.STATUS)

    if event.kind == K.CREATED and report.source == "phone" and report.reporter is None:
        # A caller's report, entered by the call centre: the caller gets the ticket by SMS
        # (the caller is not the event's actor, though neither has an account).
        caller = _contact_recipient(report)
        if caller is not None:
            out[caller.key] = (caller, P.STATUS)

    if event.kind == K.ASSIGNED:
        if report.officer is not None:
            officers = [report.officer]
        elif report.team_id is not None:
            officers = list(User.objects.filter(teams__id=report.team_id, role=Role.OFFICER))
        else:
            officers = []
        # The phone that subscribed hears of it by web push (falling back to the officer's
        # own channel when no push goes through); the others on their own channel.
        pushed = signals.push_users(sender=Notification, user_ids=[u.pk for u in officers])
        for user in officers:
            add(_push_recipient(user) if user.pk in pushed else _user_recipient(user),
                P.ASSIGNMENT)

    if event.kind in (K.REMINDER, K.ESCALATION):
        level = int(event.data.get("level") or event.new or 0)
        staff = User.objects.filter(is_active=True)
        if level == workflow.REMINDER:
            people = [report.officer] if report.officer is not None else list(
                staff.filter(agency_id=report.agency_id, role=Role.DISPATCHER))
            purpose = P.REMINDER
        elif level == workflow.HEAD:
            people = list(staff.filter(agency_id=report.agency_id, role=Role.HEAD))
            purpose = P.ESCALATION
        else:
            people = list(staff.filter(role=Role.ADMIN))
            purpose = P.ESCALATION
        if level > workflow.REMINDER and report.officer is not None:
            people.append(report.officer)  # the assignee hears that it went up too
        for user in people:
            add(_user_recipient(user), purpose)
    return list(out.values())


def plan_notifications(event_ids: list[int], *, now: datetime) -> dict[int, list]:
    """Return the notifications (unsaved) that each of these events calls for. Reads only:
    the outbox drain calls it outside its write transaction (reports.outbox.drain)."""
    events = ReportEvent.objects.select_related(
        "report__reporter", "report__officer", "report__agency").filter(pk__in=event_ids)
    plan = {}
    for event in events:
        pairs = recipients_for(event)
        if pairs:
            plan[event.pk] = [
                Notification(event=event, report=event.report, recipient=rec.key,
                             user_id=rec.user_id, channel=rec.channel,
                             destination=rec.destination, language=rec.language,
                             purpose=purpose, created_at=now)
                for rec, purpose in pairs]
    return plan


def store_notifications(plan: dict[int, list], event_ids: list[int], *,
                        now: datetime) -> list[tuple[int, datetime | None]]:
    """Write the planned notifications of these events (one INSERT for them all); return
    (id, not before) of those still to send, None meaning now.

    Safe to run twice: existing (event, recipient) rows are left alone.
    """
    rows = [n for event_id in event_ids for n in plan.get(event_id, ())]
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    pending = Notification.objects.filter(event_id__in=event_ids,
                                          state=Notification.State.PENDING, attempts=0)
    # Citizens' updates wait a short window, so that a burst (verified, assigned, a note
    # within seconds) becomes one message naming the latest state (see deliver_many()).
    window = coalesce_window()
    if window:
        pending.filter(purpose=P.STATUS, next_attempt_at=None).update(
            next_attempt_at=now + window)
    return list(pending.order_by("pk").values_list("pk", "next_attempt_at"))


def notifications_for_event(event_id: int, *, now: datetime) -> list[int]:
    """Create the notifications that the event calls for; return those still to send."""
    plan = plan_notifications([event_id], now=now)
    return [pk for pk, _ in store_notifications(plan, [event_id], now=now)]


def coalesce_window() -> timedelta:
    """How long a citizen's update waits for the next one about the same report."""
    return timedelta(seconds=settings.SIGAP_NOTIFY_COALESCE_SECONDS)


# --- Rendering ----------------------------------------------------------------------------

def unsubscribe_token(recipient_key: str) -> str:
    return signing.dumps(recipient_key, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> str | None:
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def unsubscribe_url(recipient_key: str) -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe",
                                       args=[unsubscribe_token(recipient_key)])


def _status_of(events, report) -> str:
    """Return the label of the latest status these events name (the report's own if none)."""
    Status = workflow.Status
    for event in reversed(events):
        if event.new in Status.values:
            return str(Status(event.new).label)
    return str(report.get_status_display())


def _change_lines(events) -> list[str]:
    """Return one line per change the citizen hears of, oldest first."""
    K, Status = ReportEvent.Kind, workflow.Status
    lines = []
    for event in events:
        if event.kind == K.PUBLIC_NOTE:
            lines.append(_("Catatan petugas: %(note)s") % {"note": event.note})
        elif event.kind == K.SLA_PAUSED:
            lines.append(_("Petugas meminta informasi: %(note)s") % {"note": event.note})
        elif event.new in Status.values:
            line = _("Status: %(s)s") % {"s": Status(event.new).label}
            lines.append(f"{line} — {event.note}" if event.note else line)
    return lines


def render(notification: Notification, events=None) -> tuple[str, str, str]:
    """Return (subject, text, html) in the recipient's language. `events`: what the message
    tells of, oldest first (several when updates were coalesced; default its own event)."""
    event = notification.event
    report = notification.report
    events = events or [event]
    if notification.purpose in (P.ASSIGNMENT, P.REMINDER, P.ESCALATION, P.ALERT, P.PAGE):
        link = settings.SITE_URL + reverse("backoffice:report", args=[report.ticket])
    elif notification.recipient.startswith("u:"):
        link = settings.SITE_URL + report.get_absolute_url()
    else:
        link = settings.SITE_URL + report.tracking_url()
    # In the report's city's time (a Jayapura deadline says WIT, whoever sends it).
    zone = City.all_cached().get(report.city_id)
    with translation.override(notification.language or "id"), \
            timezone.override(zone.tz if zone else None):
        context = {
            "report": report, "event": event, "link": link,
            "language": notification.language or "id",
            "status": _status_of(events, report),
            "changes": _change_lines(events) if notification.purpose == P.STATUS else [],
            "category": report.category.name,
            "level": event.data.get("level"),
            "deadline": sla.deadline_of(event).name,
            "due": getattr(report, sla.deadline_of(event).due_field),
            "ack_url": settings.SITE_URL + reverse("duty:ack", args=[event.data["callout"]])
            if notification.purpose == P.PAGE and event.data.get("callout") else "",
            "unsubscribe_url": unsubscribe_url(notification.recipient),
        }
        base = f"notifications/{notification.purpose}"
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
        if notification.channel not in ("email", "webhook") and notification.purpose in (
                P.ALERT, P.PAGE):
            # Staff alerts link to the office (a page: to its acknowledgement).
            text = f"{subject}\n{context['ack_url'] or link}"
        elif notification.channel not in ("email", "webhook"):
            text = short_text(report, context["status"], context["changes"], subject)
    return subject, text, html


SMS_LIMIT = 160


def short_text(report, status: str, changes: list[str], subject: str) -> str:
    """Return a text message of at most SMS_LIMIT characters ending with the /r/<ticket>
    link; the latest change is kept as far as it fits."""
    link = settings.SITE_URL + report.get_absolute_url()
    head = _("Sigap %(t)s: %(s)s.") % {"t": report.ticket, "s": status} if changes else subject
    note = changes[-1] if changes and not changes[-1].startswith(_("Status:")) else ""
    room = SMS_LIMIT - len(head) - len(link) - 2
    if note and room > 12:
        note = note if len(note) <= room - 1 else note[:room - 2].rstrip() + "…"
        return f"{head} {note}\n{link}"
    return f"{head}\n{link}"[:SMS_LIMIT]


# --- Delivery -----------------------------------------------------------------------------

def deliver(notification_id: int, *, now: datetime) -> str | None:
    """Send one pending notification that is due; return its new state (None: not claimed)."""
    return deliver_many([notification_id], now=now).get(notification_id)


def deliver_many(notification_ids: list[int], *, now: datetime) -> dict[int, str]:
    """Send those of these notifications that are pending and due; return {id: new state}.

    One transaction claims them all (a notification is claimed once: the claim is what
    makes "never sent twice" hold between workers), each is sent in turn, and one more
    transaction records what was sent: two turns of SQLite's writers' lock per batch, not
    two per message. A failure is recorded at once with its back-off. A process that dies
    between a send and the record leaves the message "sending", as one that dies between
    the send and the record of a single message always did: it is not sent again.
    """
    S = Notification.State
    with transaction.atomic():
        claimed = list(Notification.objects.select_for_update(skip_locked=True).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            pk__in=notification_ids, state=S.PENDING).values_list("pk", flat=True))
        if not claimed:
            return {}
        Notification.objects.filter(pk__in=claimed).update(state=S.SENDING,
                                                           attempts=F("attempts") + 1)
    notes = list(Notification.objects.select_related("event", "report__category")
                 .filter(pk__in=claimed).order_by("pk"))
    result: dict[int, str] = {}
    sent, folded_sent, coalesced = [], [], []
    newest = {}  # (report, recipient) -> the newest citizen update in this batch
    for n in notes:
        if n.purpose == P.STATUS:
            newest[n.report_id, n.recipient] = n.pk
    folded_here: dict[tuple, list] = {}
    for n in notes:
        events = None
        if n.purpose == P.STATUS:
            key = (n.report_id, n.recipient)
            same = Notification.objects.filter(report_id=n.report_id, recipient=n.recipient,
                                               purpose=P.STATUS)
            if newest[key] > n.pk or same.filter(state=S.PENDING, pk__gt=n.pk).exists():
                # A newer update follows within the window: it will tell of this one too.
                coalesced.append(n.pk)
                folded_here.setdefault(key, []).append(n)
                result[n.pk] = S.COALESCED
                continue
            folded = list(same.filter(state=S.COALESCED, sent_at=None, pk__lt=n.pk)
                          .select_related("event").order_by("pk")) + folded_here.pop(key, [])
            events = [f.event for f in folded] + [n.event]
        try:
            subject, text, html = render(n, events)
            if n.channel == "email":
                channels.send("email", n.destination, subject, text, html)
            else:
                channels.send(n.channel, n.destination, subject, text.strip(), notification=n)
        except channels.DeliveryError as exc:
            failed = n.attempts >= MAX_ATTEMPTS  # read after the claim: this attempt counted
            Notification.objects.filter(pk=n.pk).update(
                state=S.FAILED if failed else S.PENDING, last_error=str(exc)[:500],
                next_attempt_at=None if failed else now + backoff(n.attempts))
            log.warning("notification %s failed (attempt %s): %s", n.pk, n.attempts, exc)
            result[n.pk] = S.FAILED if failed else S.PENDING
            continue
        sent.append(n.pk)
        if events and len(events) > 1:  # the folded ones went out with this message
            folded_sent += [f.pk for f in folded]
        result[n.pk] = S.SENT
    with transaction.atomic():
        if coalesced:
            Notification.objects.filter(pk__in=coalesced).update(state=S.COALESCED)
        if sent:
            Notification.objects.filter(pk__in=sent).update(
                state=S.SENT, sent_at=now, last_error="", next_attempt_at=None)
        if folded_sent:
            Notification.objects.filter(pk__in=folded_sent).update(sent_at=now)
    return result


def retry_due(now: datetime, *, limit: int = 500) -> list[int]:
    """Deliver the pending notifications whose retry time has come; return their ids."""
    ids = list(
        Notification.objects.filter(state=Notification.State.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    if ids:
        deliver_many(ids, now=now)
    return ids


def unsubscribe(recipient_key: str, *, now: datetime) -> None:
    """Stop all messages to this recipient (a user's channel becomes "none")."""
    if recipient_key.startswith("u:"):
        User.objects.filter(pk=int(recipient_key[2:])).update(notify_channel="none")
    else:
        Unsubscribed.objects.get_or_create(destination=recipient_key,
                                           defaults={"created_at": now})
