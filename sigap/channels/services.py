"""Conversations that arrive by WhatsApp, ending in the report services.

The webhook stores each message once (InboundMessage.provider_id is unique) and asks the
worker to process the conversation; the worker fetches any photo, then — with the
conversation's row locked — runs each pending message through the state machine
(sigap.channels.conversation), carries out its action through sigap.reports.services, stores
the new draft and the replies, and sends the replies after the commit.
"""

from __future__ import annotations

import functools
import json
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone, translation

from sigap.agencies.models import Category
from sigap.channels import conversation, inbound, outbound, sms
from sigap.channels.conversation import CategoryInfo, Nearby, Place, Question, Reply
from sigap.channels.matching import best
from sigap.channels.models import (
    BlockedNumber, Channel, Conversation, InboundMessage, Landmark, OutboundMessage,
    UnreadableMessage,
)
from sigap.cities.locate import NoCityHere, OutsideCity, city_at, locate
from sigap.cities.models import Area, City
from sigap.lib import memo
from sigap.lib import text as texts
from sigap.notifications import channels
from sigap.notifications.channels import DeliveryError
from sigap.notifications.models import Notification
from sigap.reports import queries, services
from sigap.reports.models import Report
from sigap.reports.workflow import TransitionError

log = logging.getLogger(__name__)

NEARBY_RADIUS_M = 150
_CONFIG = memo.configuration()
DRAFT_DIR = "channels/drafts"


class MediaPending(Exception):
    """A photo could not be fetched yet: the conversation waits and is retried."""


# --- The city's data for the conversation ---------------------------------------------------

class CityContext:
    """What the conversation asks of the city: categories, places, nearby reports."""

    def __init__(self, city: City):
        self.city = city
        self.city_name = city.name
        # Kept per worker for SIGAP_CONFIG_CACHE_SECONDS, like the rest of the city's
        # configuration (sigap.lib.memo): every message read them; the instances are shared,
        # read only.
        self._categories = _CONFIG.get(("categories", city.pk), lambda: list(
            Category.objects.filter(city=city, is_active=True).prefetch_related("attributes")
            .order_by("order", "code")))

    def emergency_numbers(self):
        english = (translation.get_language() or "id").startswith("en")
        return [(e["number"], e.get("label_en" if english else "label_id") or e["number"])
                for e in self.city.emergency_numbers or []]

    def groups(self):
        groups: dict[str, list] = {}
        for cat in self._categories:
            groups.setdefault(cat.group_name or cat.name, []).append((cat.code, cat.name))
        return list(groups.items())

    def category(self, code):
        for cat in self._categories:
            if cat.code == code:
                questions = tuple(
                    Question(a.code, a.label, a.datatype, tuple(a.choices()))
                    for a in cat.attributes.all() if a.required)
                return CategoryInfo(cat.code, cat.name, cat.is_emergency, cat.is_sensitive,
                                    questions)
        return None

    def match_category(self, text):
        # "Garbage / waste": each half is a name too (people write one word).
        options = [(c.code, [c.name_id, c.name_en, *c.name_id.split("/"),
                             *c.name_en.split("/"), *c.keywords.split(",")])
                   for c in self._categories]
        return best(text or "", options)

    def locate(self, lat, lng):
        # One number serves every city: the pin decides (routing by place, decision 0012);
        # outside every city, the refusal names the nearest one.
        try:
            located = locate(city_at(lat, lng), lat, lng)
        except NoCityHere as exc:
            self.city_name = exc.nearest.name if exc.nearest else self.city.name
            return None
        except OutsideCity:
            return None
        names = dict(Area.objects.filter(pk__in=[located.kelurahan_id, located.kecamatan_id])
                     .values_list("pk", "name"))
        return ", ".join(n for n in (names.get(located.kelurahan_id),
                                     names.get(located.kecamatan_id)) if n)

    def match_place(self, text):
        """The kelurahan, kecamatan or known place (Landmark: name or alias) that `text`
        names best, spelled loosely; None when nothing is close enough."""
        areas, landmarks, options = _CONFIG.get(("places", self.city.pk), self._places)
        key = best(text or "", options, threshold=0.82)
        if key is None:
            return None
        if key[0] == "landmark":
            landmark = next(m for m in landmarks if m.pk == key[1])
            return Place(_landmark_name(landmark), landmark.lat, landmark.lng)
        area = next(a for a in areas if a.pk == key[1])
        return Place(_area_name(area), area.centroid_lat, area.centroid_lng)

    def _places(self):
        areas = list(Area.objects.filter(city=self.city).exclude(centroid_lat=None)
                     .select_related("parent").defer("boundary", "parent__boundary"))
        # A kelurahan before a kecamatan of the same name (Oebobo is both): the finer place.
        areas.sort(key=lambda a: a.level != Area.Level.KELURAHAN)
        landmarks = list(Landmark.objects.filter(city=self.city, is_active=True)
                         .select_related("kelurahan__parent")
                         .defer("kelurahan__boundary", "kelurahan__parent__boundary"))
        options = [(("area", a.pk), [a.name]) for a in areas]
        options += [(("landmark", m.pk), m.names()) for m in landmarks]
        return areas, landmarks, options

    def nearby(self, code, lat, lng):
        found = queries.nearby(
            self.city, lat, lng, radius_m=NEARBY_RADIUS_M, limit=3,
            categories=Category.objects.filter(city=self.city, code=code))
        return [Nearby(r.ticket, str(r.get_status_display()), int(d), r.description)
                for d, r in found]

    def status_text(self, ticket, phone, *, short=False):
        """The report's state for "status <ticket>"; `short` (SMS): no note, the public link,
        so it fits one SMS."""
        report = Report.objects.select_related("category").filter(
            city=self.city, ticket=ticket).first()
        own = report is not None and report.contact_phone == _contact(phone)
        if report is None or not (own or report.is_public):
            return translation.gettext("Laporan %(t)s tidak kami temukan.") % {"t": ticket[:20]}
        link = settings.SITE_URL + (report.tracking_url() if own and not short
                                    else report.get_absolute_url())
        if short:
            return sms.status_reply(report.ticket, str(report.get_status_display()), link)
        text = translation.gettext("%(t)s (%(c)s): %(s)s.") % {
            "t": report.ticket, "c": report.category.name, "s": report.get_status_display()}
        if report.status_note:
            text += " " + report.status_note[:200]
        return f"{text}\n{link}"


@receiver([post_save, post_delete], sender=Landmark)
def _landmarks_changed(sender, instance, **kwargs):
    """A landmark saved here is offered at once by this process (others: within the memo's
    time limit, SIGAP_CONFIG_CACHE_SECONDS)."""
    _CONFIG.forget(("places", instance.city_id))


def _area_name(area: Area | None) -> str:
    if area is None:
        return ""
    if area.level == Area.Level.KELURAHAN and area.parent is not None:
        return translation.gettext("Kelurahan %(k)s, Kecamatan %(c)s") % {
            "k": area.name, "c": area.parent.name}
    return translation.gettext("Kecamatan %(c)s") % {"c": area.name}


def _landmark_name(landmark: Landmark) -> str:
    where = _area_name(landmark.kelurahan)
    if not where or landmark.name.lower() == (landmark.kelurahan.name or "").lower():
        return where or landmark.name
    return f"{landmark.name} ({where})"


def _contact(phone: str) -> str:
    return "+" + phone.lstrip("+")


# --- Receiving ------------------------------------------------------------------------------

def _conversation_id(channel: str, phone: str, now: datetime) -> int:
    """The number's conversation (created on its first message): a read, a write only once."""
    found = Conversation.objects.filter(channel=channel, phone=phone).values_list(
        "pk", flat=True).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Conversation.objects.create(channel=channel, phone=phone, created_at=now,
                                               updated_at=now).pk
    except IntegrityError:  # the same number's first two messages at once
        return Conversation.objects.get(channel=channel, phone=phone).pk


UNREADABLE_KEPT = 20_000  # characters of an unreadable body kept for the administrator


def record_unreadable(channel: str, raw, reason: str, *, now: datetime) -> None:
    """Keep what a webhook could not read, for the administrator (Django admin: "pesan tak
    terbaca"); control characters are written as \\xNN so that any database stores it."""
    if isinstance(raw, (bytes, bytearray)):
        body = bytes(raw[:UNREADABLE_KEPT * 4]).decode("utf-8", "replace")
    elif isinstance(raw, str):
        body = raw
    else:
        body = json.dumps(raw, ensure_ascii=False, default=str)
    body = texts.CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", body[:UNREADABLE_KEPT])
    UnreadableMessage.objects.create(channel=channel, reason=reason[:200], body=body,
                                     received_at=now)
    log.warning("%s webhook: kept an unreadable message (%s)", channel, reason[:200])


def receive(channel: str, messages: list[inbound.Incoming], *, now: datetime) -> list[int]:
    """Store new messages (each provider id once); return the conversations to process.

    This is all the webhook does with a message: one read (the conversation) and one insert,
    each its own short statement — no transaction is held across them, because under SQLite
    a write transaction holds the database's one write lock. Whether the number is blocked
    or over its hourly allowance is the worker's question (screen()).
    """
    to_process: list[int] = []
    for message in messages:
        conversation_id = _conversation_id(channel, message.phone, now)
        try:
            with transaction.atomic():
                InboundMessage.objects.create(
                    conversation_id=conversation_id, provider_id=f"{channel}:{message.id}",
                    kind=message.kind, payload=message.payload(), sent_at=message.at,
                    received_at=now)
        except IntegrityError:
            continue  # a retried webhook: this message is already stored
        if conversation_id not in to_process:
            to_process.append(conversation_id)
    return to_process


LIMIT_WINDOW = timedelta(hours=1)


def _limited_notice() -> str:
    return translation.gettext(
        "Terlalu banyak pesan dari nomor ini dalam satu jam. Pesan berikutnya tidak kami "
        "proses untuk sementara; coba lagi nanti.")


def screen(conversation_id: int, *, now: datetime) -> list[int]:
    """Set aside the pending messages of a blocked number (told nothing) or of a number over
    its hourly allowance (told once per episode, in its language); return the notices queued.

    The allowance counts every message the number sent in the last hour, refused ones too:
    a number that keeps flooding stays refused. The notice goes once: the conversation's
    `limited_notice_at` is claimed with a conditional update, so two workers cannot both
    send it, and it is sent again only after a whole window without one.
    """
    pending = InboundMessage.objects.filter(conversation_id=conversation_id,
                                            state=InboundMessage.State.PENDING)
    conv = Conversation.objects.get(pk=conversation_id)
    if BlockedNumber.objects.filter(phone=_contact(conv.phone)).exists():
        pending.update(state=InboundMessage.State.BLOCKED)
        return []
    ids = list(pending.order_by("pk").values_list("pk", "received_at"))
    if not ids:
        return []
    allowance = settings.SIGAP_CHANNELS_MAX_PER_HOUR
    used = InboundMessage.objects.filter(
        conversation_id=conversation_id, pk__lt=ids[0][0],
        received_at__gte=ids[0][1] - LIMIT_WINDOW).count()
    over = [pk for i, (pk, _at) in enumerate(ids) if used + i >= allowance]
    if not over:
        return []
    with transaction.atomic():
        InboundMessage.objects.filter(pk__in=over, state=InboundMessage.State.PENDING).update(
            state=InboundMessage.State.LIMITED)
        told = Conversation.objects.filter(pk=conversation_id).filter(
            Q(limited_notice_at=None) | Q(limited_notice_at__lt=now - LIMIT_WINDOW)
        ).update(limited_notice_at=now)
        if not told:
            return []
        with translation.override(conv.language):
            text = _limited_notice()
        return _queue(conv, [Reply(sms.fits(text) if conv.channel == Channel.SMS else text)],
                      now)


_RANK = {"queued": 0, "sent": 1, "delivered": 2, "read": 3}


def record_statuses(statuses: list[inbound.StatusUpdate], *, now: datetime) -> int:
    """Record sent/delivered/read/failed on the outbound messages (never backwards)."""
    changed = 0
    for status in statuses:
        if status.status == "failed":
            rows = OutboundMessage.objects.filter(provider_id=status.provider_id)
            changed += rows.update(state="failed", error=status.error, updated_at=now)
            Notification.objects.filter(
                pk__in=rows.exclude(notification=None).values("notification_id")
            ).update(last_error=f"whatsapp failed: {status.error}"[:500])
        elif status.status in _RANK:
            lower = [s for s, r in _RANK.items() if r < _RANK[status.status]]
            changed += OutboundMessage.objects.filter(
                provider_id=status.provider_id, state__in=lower
            ).update(state=status.status, updated_at=now)
    return changed


# --- Processing -----------------------------------------------------------------------------

def _fetch_photos(conversation_id: int) -> None:
    """Fetch and clean the photos of pending image messages (outside any transaction)."""
    pending = InboundMessage.objects.filter(
        conversation_id=conversation_id, state=InboundMessage.State.PENDING, kind="image")
    for message in pending:
        if message.payload.get("photo") or message.payload.get("photo_error"):
            continue
        try:
            raw = outbound.fetch_media(message.payload.get("media_id", ""))
        except outbound.SendError as exc:
            InboundMessage.objects.filter(pk=message.pk).update(
                attempts=message.attempts + 1, last_error=str(exc)[:300])
            raise MediaPending(message.pk) from None
        payload = dict(message.payload)
        try:
            cleaned = services.clean_photos([raw])[0]
        except ValidationError as exc:
            payload["photo_error"] = " ".join(
                str(m) for msgs in exc.message_dict.values() for m in msgs)
        else:
            name = f"{DRAFT_DIR}/{secrets.token_hex(12)}.jpg"
            payload["photo"] = default_storage.save(name, ContentFile(cleaned.data))
        InboundMessage.objects.filter(pk=message.pk).update(payload=payload)


def process(conversation_id: int, *, now: datetime, send=None) -> int:
    """Run the conversation's pending messages through the state machine; return how many.

    Each message is stepped outside any transaction (reads, and the report services' own
    short transactions: creating is idempotent by the message id), then committed in one
    short transaction that claims the message and moves the conversation on only if nobody
    else has meanwhile (a version check) — so the database's write lock, which webhooks
    wait on under SQLite, is held for a few statements, not for a whole step.

    Raises MediaPending when a photo could not be fetched: the messages from that one on
    stay pending (nothing is lost) and the task is retried. `send(ids)` is given the
    committed replies, in order, to send (the task passes its sending task; None: send
    them here).
    """
    notices = screen(conversation_id, now=now)
    if notices:
        (send or functools.partial(send_queued, now=now))(notices)
    _fetch_photos(conversation_id)
    city = City.default()
    ctx = CityContext(city)
    sent: list[int] = []
    try:
        return _process(conversation_id, city, ctx, now, sent)
    finally:
        if sent:  # the committed steps' replies, in order, at once
            (send or functools.partial(send_queued, now=now))(sent)


def _process(conversation_id, city, ctx, now, sent: list[int]) -> int:
    handled = 0
    while True:
        conv = Conversation.objects.get(pk=conversation_id)
        message = InboundMessage.objects.filter(
            conversation=conv, state=InboundMessage.State.PENDING
        ).order_by("sent_at", "pk").first()
        if message is None:
            return handled
        incoming = inbound.Incoming.from_payload(
            id=message.provider_id, phone=conv.phone, at=message.sent_at,
            payload=message.payload)
        version = conv.version
        conv.drop_files = []
        replies = _handle(conv, incoming, ctx, city, now)
        with transaction.atomic():
            claimed = InboundMessage.objects.filter(
                pk=message.pk, state=InboundMessage.State.PENDING
            ).update(state=InboundMessage.State.DONE)
            moved = claimed and Conversation.objects.filter(pk=conv.pk, version=version).update(
                draft=conv.draft, language=conv.language, version=version + 1,
                reports_created=conv.reports_created, updated_at=now,
                last_inbound_at=max(filter(None, [conv.last_inbound_at, now])))
            if not moved:
                # Another worker stepped this conversation meanwhile: undo the claim, read
                # again (its actions are idempotent: a replayed create returns the report).
                transaction.set_rollback(True)
                continue
            ids = _queue(conv, replies, now)
            transaction.on_commit(functools.partial(_delete_files, conv.drop_files))
        sent += ids  # committed (the block above did not raise)
        handled += 1


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _handle(conv: Conversation, incoming, ctx: CityContext, city, now) -> list[Reply]:
    machine = sms.step if conv.channel == Channel.SMS else conversation.step
    with translation.override(conv.language):
        out = machine(conv.draft, incoming, ctx, now)
    if out.language:
        conv.language = out.language
        if conv.channel != Channel.SMS:  # repeat the question in the new language
            with translation.override(conv.language):
                return conversation.prompt_for(conv.draft, ctx)
        # An SMS that changes the language is also a step (REPORT …): go on with it.
    conv.draft = out.draft
    with translation.override(conv.language):
        if not out.action:
            return out.replies
        kind = out.action[0]
        if kind == "create":
            return _create(conv, incoming, city, ctx, now)
        if kind == "support":
            return _support(conv, out.action[1], now)
        if kind == "confirm_fixed":
            return _confirm_fixed(conv, out.action[1], out.action[2], out.action[3], now)
    return out.replies


def _draft_photos(draft: dict) -> list[bytes]:
    photos = []
    for name in draft.get("photos", []):
        with default_storage.open(name, "rb") as fh:
            photos.append(fh.read())
    return photos


def _drop_photos(conv, draft: dict) -> None:
    """Delete the draft's photo files once the step is committed."""
    conv.drop_files += draft.get("photos", [])


def _create(conv, incoming, city, ctx, now) -> list[Reply]:
    draft = conv.draft
    category = Category.objects.filter(city=city, code=draft.get("category", "")).first()
    data = services.NewReport(
        category=category, lat=draft["lat"], lng=draft["lng"],
        description=draft.get("description", ""), answers=draft.get("answers", {}),
        address=draft.get("address", ""), photos=_draft_photos(draft),
        is_anonymous=bool(draft.get("anonymous")),
        contact=services.Contact(name="" if draft.get("anonymous") else draft.get("name", ""),
                                 phone=_contact(conv.phone)),
        source=conv.channel, origin={"channel": conv.channel})
    try:
        created = services.create_report(city, data, now=now,
                                         idempotency=(conv.channel, incoming.id))
    except ValidationError as exc:
        text = " ".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
        if conv.channel == Channel.SMS:
            return [Reply(sms.fits(text))]
        return [Reply(text), conversation.summary(draft, ctx)]
    _drop_photos(conv, draft)
    conv.draft = {}
    conv.reports_created += 1
    report = created.report
    if conv.channel == Channel.SMS:
        return [Reply(sms.created_reply(report.ticket,
                                        report.agency.short_name or report.agency.code,
                                        settings.SITE_URL + report.get_absolute_url()))]
    return [Reply(translation.gettext(
        "Terima kasih! Laporan Anda sudah kami terima dengan nomor tiket %(t)s dan diteruskan "
        "ke %(a)s. Pantau di sini: %(link)s\nKami kabari di chat ini setiap ada perkembangan."
    ) % {"t": report.ticket, "a": report.agency.short_name or report.agency.name,
         "link": settings.SITE_URL + report.tracking_url()})]


def _support(conv, ticket, now) -> list[Reply]:
    report = Report.objects.filter(ticket=ticket).first()
    _drop_photos(conv, conv.draft)
    conv.draft = {}
    if report is None:
        return [Reply(translation.gettext("Laporan %(t)s tidak kami temukan.") % {"t": ticket})]
    try:
        services.support(report.pk, supporter_key=f"{conv.channel}:{conv.phone}", user=None,
                         now=now)
    except TransitionError as exc:  # the report is no longer open
        return [Reply(f"{report.ticket}: {exc.message}")]
    return [Reply(translation.gettext(
        "Terima kasih, dukungan Anda kami catat pada laporan %(t)s. Semakin banyak dukungan, "
        "semakin cepat ditangani. Pantau: %(link)s") % {
        "t": report.ticket, "link": settings.SITE_URL + report.get_absolute_url()})]


def _confirm_fixed(conv, ticket, fixed, reason, now) -> list[Reply]:
    report = Report.objects.filter(ticket=ticket, contact_phone=_contact(conv.phone)).first()
    if report is None:
        return [Reply(translation.gettext("Laporan %(t)s tidak kami temukan.") % {"t": ticket})]
    try:
        services.reporter_confirms(report.pk, fixed=fixed, now=now, reason=reason)
    except (TransitionError, ValidationError):
        return [Reply(translation.gettext(
            "Laporan %(t)s tidak sedang menunggu jawaban Anda.") % {"t": ticket})]
    if fixed:
        return [Reply(translation.gettext(
            "Terima kasih! Laporan %(t)s kami tutup.") % {"t": ticket})]
    return [Reply(translation.gettext(
        "Laporan %(t)s kami buka lagi dan kembali ke petugas.") % {"t": ticket})]


def _queue(conv, replies: list[Reply], now, notification=None) -> list[int]:
    rows = [OutboundMessage(conversation=conv, notification=notification, body=r.as_dict(),
                            created_at=now, updated_at=now) for r in replies]
    OutboundMessage.objects.bulk_create(rows)
    return [r.pk for r in rows]


def send_queued(ids: list[int], *, now: datetime) -> None:
    """Send stored replies in order; stop at the first failure (retried by the task)."""
    for message in OutboundMessage.objects.filter(pk__in=ids, state="queued") \
            .select_related("conversation").order_by("pk"):
        if message.conversation.channel == Channel.SMS:
            channels.send_webhook("sms", _contact(message.conversation.phone),
                                  message.body["text"])
            provider_id = ""
        else:
            provider_id = outbound.send_reply(message.conversation.phone, message.body)
        OutboundMessage.objects.filter(pk=message.pk).update(
            state="sent", provider_id=provider_id, updated_at=now)


def notification_sender(to: str, subject: str, text: str, *, notification=None) -> bool:
    """The notifications' "whatsapp" sender (notifications.signals.sending_message, through
    channels.receivers): on the citizen's chat, inside the service window as a free-form
    message (with "Sudah beres?" buttons once resolved), outside it as the city's approved
    template. Returns False when WhatsApp is off (the outbound gateway sends it then)."""
    if not outbound.enabled():
        return False
    try:
        send_notification(to, subject, text, notification=notification, now=timezone.now())
    except outbound.SendError as exc:
        raise DeliveryError(f"whatsapp: {exc}") from None
    return True


def send_notification(to: str, subject: str, text: str, *, notification, now) -> None:
    """Send a report notification on the citizen's chat (see notification_sender)."""
    phone = to.lstrip("+")
    conv, _created = Conversation.objects.get_or_create(
        channel=Channel.WHATSAPP, phone=phone, defaults={"created_at": now, "updated_at": now})
    report = notification.report if notification is not None else None
    # The event's own new status, not the report's now: a later change may be on its way.
    resolved = report is not None and notification.event.new == "resolved"
    link = settings.SITE_URL + report.tracking_url() if report is not None else ""
    in_window = conv.last_inbound_at is not None and now - conv.last_inbound_at < outbound.WINDOW
    with translation.override(conv.language):
        if in_window or report is None:
            buttons = ()
            # The e-mail's unsubscribe footer has no place on a chat (the citizen just writes).
            body = text.split("\n--")[0].rstrip()
            if resolved:
                body += "\n\n" + translation.gettext("Sudah beres?")
                buttons = ((f"fix:yes:{report.ticket}", translation.gettext("Sudah beres")),
                           (f"fix:no:{report.ticket}", translation.gettext("Belum beres")))
            body_dict = Reply(body[:4000], buttons=buttons).as_dict()
        else:
            body_dict = outbound.template_reply(
                report.city.code, "status_resolved" if resolved else "status_update",
                conv.language, {"ticket": report.ticket, "link": link,
                                "status": str(report.get_status_display())})
            if body_dict is None:
                raise outbound.SendError("no approved template for messages outside the window")
    message = OutboundMessage.objects.create(conversation=conv, notification=notification,
                                             body=body_dict, created_at=now, updated_at=now)
    provider_id = outbound.send_reply(phone, body_dict)
    OutboundMessage.objects.filter(pk=message.pk).update(
        state="sent", provider_id=provider_id, updated_at=now)


def stale_conversations(now: datetime, *, older_than=timedelta(seconds=30)) -> list[int]:
    """Conversations with messages still pending (a failed fetch, a lost task)."""
    return list(InboundMessage.objects.filter(
        state=InboundMessage.State.PENDING, received_at__lte=now - older_than)
        .order_by("conversation_id").values_list("conversation_id", flat=True)
        .distinct()[:200])


def stale_outbound(now: datetime, *, older_than=timedelta(minutes=1)) -> list[int]:
    """Replies stored but still not sent (their task failed for good, or was lost)."""
    return list(OutboundMessage.objects.filter(
        state=OutboundMessage.State.QUEUED, created_at__lte=now - older_than)
        .order_by("pk").values_list("pk", flat=True)[:500])
