"""Following a place: subscribe, confirm, unsubscribe; what each recorded event adds to the
follows of its place; and the coalesced messages, claimed once and sent once.

Delivery has three steps, each its own transaction, so that a worker killed at any point
neither loses a message nor sends one twice:

1. `claim(now)`: the due items of a follow (those still without a message) join a new
   `FollowMessage` in state "claimed". Many reports of one place within the window (or a
   day, for a digest) become one message.
2. `send_claimed(now)`: a claimed message is taken with a conditional UPDATE (claimed →
   sending), so one worker only sends it; sent, it becomes "sent". A worker that died
   after step 1 left its messages "claimed": the next run sends them. One that died
   between the UPDATE and the send's record leaves the message "sending", and it is not
   sent again, the rule every notification follows (notifications.services.deliver_many).
3. A failed send goes back to "claimed" with a back-off, and "failed" after MAX_ATTEMPTS.

Messages go through the one sender, `notifications.channels.send` (e-mail, the WhatsApp
conversation app, web push by the on-duty app's sender). They name the category, the place,
the status and the public link; never a reporter, a contact or the description.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sigap.cities.locate import NoCityHere, city_at
from sigap.cities.models import Area, City
from sigap.lib.geo import bbox_around, haversine_m, valid_lat_lng
from sigap.lib import phones, text
from sigap.notifications import channels
from sigap.notifications.services import backoff
from sigap.follows.models import MAX_RADIUS_M, MIN_RADIUS_M, Follow, FollowItem, FollowMessage
from sigap.reports import visibility
from sigap.reports.models import Report, ReportEvent
from sigap.reports.workflow import Status

log = logging.getLogger(__name__)

CONFIRM_SALT = "sigap.follows.confirm"
UNSUBSCRIBE_SALT = "sigap.follows.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600
MAX_ATTEMPTS = 6
MAX_ITEMS_SHOWN = 20  # lines in one message; the rest are counted and linked


# --- The place ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Place:
    """A kelurahan of a city, or a circle (centre, radius in metres) inside it."""

    city: City
    kelurahan: Area | None = None
    lat: float | None = None
    lng: float | None = None
    radius_m: int | None = None

    @property
    def is_circle(self) -> bool:
        return self.kelurahan is None

    def name(self) -> str:
        if self.kelurahan is not None:
            return _("Kelurahan %(name)s") % {"name": self.kelurahan.name}
        return _("radius %(r)s m dari titik %(lat).5f, %(lng).5f") % {
            "r": self.radius_m, "lat": self.lat, "lng": self.lng}

    def query(self) -> str:
        """The query string that names this place on the follow page and the feed."""
        if self.kelurahan is not None:
            return f"kelurahan={self.kelurahan.pk}"
        return f"lat={self.lat:.6f}&lng={self.lng:.6f}&r={self.radius_m}"

    def feed_url(self, kind: str = "rss") -> str:
        return reverse(f"follows:{kind}") + "?" + self.query()

    def reports(self):
        """The public reports of the place (the visibility rule's public sight)."""
        qs = visibility.visible_reports(AnonymousUser()).filter(city=self.city)
        if self.kelurahan is not None:
            return qs.filter(kelurahan=self.kelurahan)
        return qs  # a circle: narrowed by reports.nearby.newest_within (feeds)


def city_of(params) -> City:
    """Return the city a follow page's query names: the kelurahan's, else the point's
    (routing by place, decision 0012), else the install's default; raise
    ValidationError when there is none."""
    kelurahan = text.as_id(params.get("kelurahan"))
    if kelurahan is not None:
        area = Area.objects.select_related("city").filter(
            pk=kelurahan, level=Area.Level.KELURAHAN).first()
        if area is not None:
            return area.city
    try:
        return city_at(float(params.get("lat", "")), float(params.get("lng", "")))
    except (ValueError, TypeError, NoCityHere):
        pass
    city = City.default()
    if city is None:
        raise ValidationError(_("Kota belum disiapkan."))
    return city


def follow_page_url(place: Place) -> str:
    return reverse("follows:follow") + "?" + place.query()


def place_of(city: City, params) -> Place:
    """Return the place a query string names (kelurahan=, or lat=&lng=&r=) in `city`;
    raise ValidationError with a message for the visitor."""
    if (params.get("kelurahan") or "").strip():
        kelurahan = text.as_id(params.get("kelurahan"))
        area = Area.objects.filter(city=city, level=Area.Level.KELURAHAN,
                                   pk=kelurahan).first() if kelurahan is not None else None
        if area is None:
            raise ValidationError(_("Kelurahan tidak ditemukan di kota ini."))
        return Place(city, kelurahan=area)
    try:
        lat, lng = float(params.get("lat", "")), float(params.get("lng", ""))
        radius = int(float(params.get("r") or 500))
    except (ValueError, TypeError, OverflowError):
        raise ValidationError(_("Pilih kelurahan atau titik di peta.")) from None
    if not valid_lat_lng(lat, lng):
        raise ValidationError(_("Pilih kelurahan atau titik di peta."))
    if not (MIN_RADIUS_M <= radius <= MAX_RADIUS_M):
        raise ValidationError(_("Radius harus antara %(min)s m dan %(max)s m.") % {
            "min": MIN_RADIUS_M, "max": MAX_RADIUS_M})
    if city.min_lat is not None and not (
            city.min_lat - 0.05 <= lat <= city.max_lat + 0.05
            and city.min_lng - 0.05 <= lng <= city.max_lng + 0.05):
        raise ValidationError(_("Titik itu berada di luar wilayah %(city)s.") % {
            "city": city.name})
    return Place(city, lat=round(lat, 6), lng=round(lng, 6), radius_m=radius)


def place_of_follow(follow: Follow) -> Place:
    return Place(follow.city, kelurahan=follow.kelurahan, lat=follow.lat, lng=follow.lng,
                 radius_m=follow.radius_m)


# --- Subscribing --------------------------------------------------------------------------

def clean_destination(channel: str, value: str) -> str:
    """Return the address in its one form; raise ValidationError with a clear message."""
    value = (value or "").strip()
    if channel == Follow.Channel.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("Alamat e-mail tidak valid.")) from None
        return value.lower()
    if channel == Follow.Channel.WHATSAPP:
        try:
            return phones.e164(value)
        except ValueError:
            raise ValidationError(_("Nomor WhatsApp tidak valid (contoh: 0812 3456 7890)."))\
                from None
    if channel == Follow.Channel.PUSH:
        try:
            sub = json.loads(value)
            ok = sub["endpoint"].startswith("https://") and sub["keys"]["p256dh"] \
                and sub["keys"]["auth"]
        except (ValueError, KeyError, TypeError, AttributeError):
            ok = False
        if not ok:
            raise ValidationError(_("Browser ini tidak bisa menerima notifikasi."))
        return json.dumps({"endpoint": sub["endpoint"], "keys": {
            "p256dh": sub["keys"]["p256dh"], "auth": sub["keys"]["auth"]}})
    raise ValidationError(_("Pilih cara menerima kabar."))


def _proved_by(user, channel: str, destination: str) -> bool:
    """Return whether a signed-in user already proved this address (their own contact)."""
    if user is None or not user.is_authenticated:
        return False
    if channel == Follow.Channel.EMAIL:
        return bool(user.email) and user.email.lower() == destination
    if channel == Follow.Channel.WHATSAPP:
        try:
            return bool(user.phone) and phones.e164(user.phone) == destination
        except ValueError:
            return False
    return False


def follow(place: Place, *, channel: str, destination: str, frequency: str, language: str,
           user=None, now: datetime) -> Follow:
    """Record a follow of `place`; confirmed at once for a signed-in user's own address or a
    browser's push subscription, else unconfirmed until its link is opened (the caller
    queues `tasks.send_confirmation`).
    Following the same place again at the same address returns the existing follow."""
    if frequency not in Follow.Frequency.values:
        raise ValidationError(_("Pilih seberapa sering kabar dikirim."))
    destination = clean_destination(channel, destination)
    same = Follow.objects.filter(city=place.city, channel=channel, destination=destination,
                                 kelurahan=place.kelurahan, lat=place.lat, lng=place.lng,
                                 radius_m=place.radius_m).first()
    confirmed = channel == Follow.Channel.PUSH or _proved_by(user, channel, destination)
    with transaction.atomic():
        if same is not None:
            row = same
            row.frequency, row.language = frequency, language
            if confirmed and row.confirmed_at is None:
                row.confirmed_at = now
            if user is not None and user.is_authenticated and row.user_id is None \
                    and confirmed:
                row.user = user
            row.save(update_fields=["frequency", "language", "confirmed_at", "user"])
        else:
            row = Follow.objects.create(
                city=place.city, kelurahan=place.kelurahan, lat=place.lat, lng=place.lng,
                radius_m=place.radius_m, channel=channel, destination=destination,
                frequency=frequency, language=language,
                user=user if user is not None and user.is_authenticated else None,
                confirmed_at=now if confirmed else None, created_at=now)
    return row


def confirm_token(follow_row: Follow) -> str:
    return signing.dumps(follow_row.pk, salt=CONFIRM_SALT)


def unsubscribe_token(follow_row: Follow) -> str:
    return signing.dumps(follow_row.pk, salt=UNSUBSCRIBE_SALT)


def read_token(token: str, *, kind: str) -> Follow | None:
    salt, age = ((CONFIRM_SALT, CONFIRM_MAX_AGE) if kind == "confirm"
                 else (UNSUBSCRIBE_SALT, None))
    try:
        pk = signing.loads(token, salt=salt, max_age=age)
    except signing.BadSignature:
        return None
    return Follow.objects.select_related("city", "kelurahan").filter(pk=pk).first()


def confirm(follow_row: Follow, *, now: datetime) -> None:
    Follow.objects.filter(pk=follow_row.pk, confirmed_at__isnull=True).update(confirmed_at=now)


def unfollow(follow_row: Follow) -> None:
    """Stop the follow at once: it and whatever it had still to tell are deleted."""
    Follow.objects.filter(pk=follow_row.pk).delete()


def confirmation_message(follow_row: Follow) -> tuple[str, str]:
    """Return (subject, text) of the confirmation, in the follower's language."""
    link = settings.SITE_URL + reverse("follows:confirm", args=[confirm_token(follow_row)])
    with translation.override(follow_row.language or "id"):
        place = place_of_follow(follow_row).name()
        subject = _("Konfirmasi: ikuti laporan di %(place)s") % {"place": place}
        text = _("Buka tautan ini untuk mulai menerima kabar laporan baru dan perbaikan di "
                 "%(place)s (%(city)s):\n%(link)s\n\nAbaikan pesan ini jika Anda tidak "
                 "memintanya.") % {"place": place, "city": follow_row.city.name, "link": link}
    return subject, text


def send_confirmation(follow_id: int) -> bool:
    """Send the confirmation link of an unconfirmed follow; return whether one was sent."""
    row = Follow.objects.select_related("city", "kelurahan").filter(
        pk=follow_id, confirmed_at__isnull=True).first()
    if row is None:
        return False
    subject, text = confirmation_message(row)
    channels.send(row.channel, row.destination, subject, text)
    return True


# --- What an event adds -------------------------------------------------------------------

def kind_of(event: ReportEvent) -> str | None:
    """Return what followers of the place hear of this event: a new report, a fix, or None."""
    K = ReportEvent.Kind
    if event.kind == K.CREATED:
        return FollowItem.Kind.NEW
    if event.kind == K.STATUS and event.new == Status.RESOLVED and event.old != event.new:
        return FollowItem.Kind.FIXED
    return None


def follows_of(report: Report) -> list[Follow]:
    """Return the confirmed follows whose place holds this report (its city's only)."""
    by_kelurahan = Follow.objects.filter(city_id=report.city_id, confirmed_at__isnull=False,
                                         kelurahan_id=report.kelurahan_id) \
        if report.kelurahan_id else Follow.objects.none()
    min_lat, min_lng, max_lat, max_lng = bbox_around(report.lat, report.lng, MAX_RADIUS_M)
    circles = Follow.objects.filter(
        city_id=report.city_id, confirmed_at__isnull=False, lat__isnull=False,
        lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
    # Not the follows' city rows: it is the report's, and a city row carries its boundary
    # (a large JSON document that dominated the cost when loaded once per follow).
    found = list(by_kelurahan)
    found += [f for f in circles
              if haversine_m(f.lat, f.lng, report.lat, report.lng) <= f.radius_m]
    return found


def next_digest(now: datetime, city: City) -> datetime:
    """Return the next digest time (SIGAP_FOLLOW_DIGEST_HOUR on the city's clock) after now."""
    local = timezone.localtime(now, city.tz)
    at = local.replace(hour=settings.SIGAP_FOLLOW_DIGEST_HOUR, minute=0, second=0,
                       microsecond=0)
    if at <= local:
        at += timedelta(days=1)
    return at


def plan_items(event_ids: list[int], *, now: datetime) -> list[FollowItem]:
    """Return the follow items (unsaved) that these events call for. Reads only: the outbox
    drain calls it outside its write transaction. Only public reports are announced."""
    events = [e for e in ReportEvent.objects.filter(
        pk__in=event_ids, kind__in=[ReportEvent.Kind.CREATED, ReportEvent.Kind.STATUS])
        if kind_of(e)]
    if not events:
        return []
    public = {r.pk: r for r in visibility.visible_reports(AnonymousUser()).filter(
        pk__in={e.report_id for e in events}).select_related("city").defer("city__boundary")}
    window = timedelta(minutes=settings.SIGAP_FOLLOW_WINDOW_MINUTES)
    items = []
    for event in events:
        report = public.get(event.report_id)
        if report is None:
            continue
        for row in follows_of(report):
            due = (now + window if row.frequency == Follow.Frequency.INSTANT
                   else next_digest(now, report.city))
            items.append(FollowItem(follow=row, report=report, event=event,
                                    kind=kind_of(event), due_at=due, created_at=now))
    return items


def store_items(items: list[FollowItem], event_ids: list[int]) -> int:
    """Write the planned items of these events; an instant follow's new item joins the
    window its first unclaimed one opened. Safe to run twice (one item per follow and
    event). Return how many were planned."""
    items = [i for i in items if i.event_id in set(event_ids)]
    if not items:
        return 0
    opened = dict(FollowItem.objects.filter(
        follow_id__in={i.follow_id for i in items}, message__isnull=True)
        .values("follow_id").annotate(first=Min("due_at")).values_list("follow_id", "first"))
    for item in items:
        if item.follow.frequency == Follow.Frequency.INSTANT and item.follow_id in opened:
            item.due_at = min(item.due_at, opened[item.follow_id])
    FollowItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)


# --- Delivery -----------------------------------------------------------------------------

def claim(now: datetime, *, limit: int = 500) -> list[int]:
    """Gather each due follow's unclaimed items into one new message; return the messages.

    A follow is due when its earliest unclaimed item is due; all its unclaimed items go
    into the message (so a window's burst leaves as one). Safe to run in two workers: an
    item joins one message only (the UPDATE's `message IS NULL`); a message left empty by
    a race is deleted.
    """
    made = []
    with transaction.atomic():
        follow_ids = list(FollowItem.objects.filter(message__isnull=True, due_at__lte=now)
                          .order_by("follow_id").values_list("follow_id", flat=True)
                          .distinct()[:limit])
        for follow_id in follow_ids:
            message = FollowMessage.objects.create(follow_id=follow_id, claimed_at=now)
            if FollowItem.objects.filter(follow_id=follow_id, message__isnull=True).update(
                    message=message):
                made.append(message.pk)
            else:
                message.delete()
    return made


def send_claimed(now: datetime, *, limit: int = 500) -> dict[int, str]:
    """Send the claimed messages that are due (a dead worker's too); return {id: state}."""
    S = FollowMessage.State
    ids = list(FollowMessage.objects.filter(state=S.CLAIMED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk").values_list("pk", flat=True)[:limit])
    result = {}
    for pk in ids:
        if not FollowMessage.objects.filter(pk=pk, state=S.CLAIMED).update(
                state=S.SENDING, attempts=F("attempts") + 1):
            continue  # another worker took it
        message = FollowMessage.objects.select_related(
            "follow__city", "follow__kelurahan").defer(
            "follow__city__boundary", "follow__kelurahan__boundary").get(pk=pk)
        try:
            sent = deliver(message)
        except channels.DeliveryError as exc:
            failed = message.attempts >= MAX_ATTEMPTS
            FollowMessage.objects.filter(pk=pk).update(
                state=S.FAILED if failed else S.CLAIMED, last_error=str(exc)[:500],
                next_attempt_at=None if failed else now + backoff(message.attempts))
            log.warning("follow message %s failed (attempt %s): %s", pk, message.attempts,
                        exc)
            result[pk] = S.FAILED if failed else S.CLAIMED
            continue
        FollowMessage.objects.filter(pk=pk).update(state=S.SENT, sent_at=now, last_error=""
                                                   if sent else "nothing public to tell")
        result[pk] = S.SENT
    return result


def send_due(now: datetime) -> dict[int, str]:
    """Claim what is due, then send every claimed message (the minute job)."""
    claim(now)
    return send_claimed(now)


def render(message: FollowMessage) -> tuple[str, str, str, str] | None:
    """Return (subject, text, html, unsubscribe link) in the follower's language, or None
    when none of its reports is public any more."""
    row = message.follow
    items = list(FollowItem.objects.filter(message=message).select_related(
        "report__category", "report__kelurahan").defer("report__kelurahan__boundary")
        .order_by("created_at", "pk"))
    public = set(visibility.visible_reports(AnonymousUser()).filter(
        pk__in={i.report_id for i in items}).values_list("pk", flat=True))
    items = [i for i in items if i.report_id in public]
    if not items:
        return None
    unsubscribe = settings.SITE_URL + reverse("follows:unsubscribe",
                                              args=[unsubscribe_token(row)])
    place = place_of_follow(row)
    with translation.override(row.language or "id"):
        lines = [{
            "kind": i.get_kind_display(), "category": i.report.category.name,
            "kelurahan": i.report.kelurahan.name if i.report.kelurahan else "",
            "status": i.report.get_status_display(), "ticket": i.report.ticket,
            "link": settings.SITE_URL + i.report.get_absolute_url(),
        } for i in items[:MAX_ITEMS_SHOWN]]
        context = {
            "place": place.name(), "city": row.city.name, "lines": lines,
            "more": max(0, len(items) - MAX_ITEMS_SHOWN), "count": len(items),
            "new": sum(1 for i in items if i.kind == FollowItem.Kind.NEW),
            "fixed": sum(1 for i in items if i.kind == FollowItem.Kind.FIXED),
            "digest": row.frequency == Follow.Frequency.DAILY,
            "feed": settings.SITE_URL + place.feed_url("rss"),
            "unsubscribe_url": unsubscribe,
        }
        subject = " ".join(render_to_string("follows/message_subject.txt", context).split())
        text = render_to_string("follows/message.txt", context).strip()
        html = render_to_string("follows/message.html", context)
    return subject, text, html, unsubscribe


def deliver(message: FollowMessage) -> bool:
    """Send one message through the one sender; return False when there was nothing public
    left to tell (nothing is sent). Raise channels.DeliveryError on failure."""
    rendered = render(message)
    if rendered is None:
        return False
    subject, text, html, unsubscribe = rendered
    row = message.follow
    if row.channel == Follow.Channel.EMAIL:
        channels.send("email", row.destination, subject, text, html, headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    else:
        channels.send(row.channel, row.destination, subject, text)
    return True
