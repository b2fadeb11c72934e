"""What the WhatsApp Cloud API sends to the webhook, as plain data (no database, no HTTP).

The webhook stores each message as it arrived and hands it to the worker; these functions
turn Meta's documented JSON ("entry" → "changes" → "value" → "messages" / "statuses") into
`Incoming` and `StatusUpdate` values that the conversation and the delivery records read.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from pywa import utils as pywa_utils

from sigap.lib import phones, text as texts

# Message types that carry a file the citizen meant as a photo, or not.
MEDIA_KINDS = {"image", "document", "audio", "video", "sticker"}


@dataclass(frozen=True)
class Incoming:
    id: str
    phone: str  # the sender's WhatsApp id: the number with country code, digits only
    at: datetime
    kind: str  # text, image, location, reply, other (document, audio, video, sticker, ...)
    text: str = ""
    media_id: str = ""
    mime_type: str = ""
    lat: float | None = None
    lng: float | None = None
    place: str = ""  # a pin's name and address, when the citizen picked a named place
    reply_id: str = ""  # the id of the button or list row that was tapped
    photo: str = ""  # set by the worker: the stored, cleaned photo (or "" when none)
    photo_error: str = ""  # set by the worker: why the file is not a usable photo

    def payload(self) -> dict:
        data = asdict(self)
        for key in ("id", "phone", "at"):
            data.pop(key)
        return {k: v for k, v in data.items() if v not in ("", None)}

    @classmethod
    def from_payload(cls, *, id: str, phone: str, at: datetime, payload: dict) -> Incoming:
        return cls(id=id, phone=phone, at=at, **payload)


@dataclass(frozen=True)
class StatusUpdate:
    provider_id: str
    status: str  # sent, delivered, read, failed
    at: datetime
    error: str = ""


def signature_ok(app_secret: str, body: bytes, header: str | None) -> bool:
    """Return whether X-Hub-Signature-256 is the HMAC-SHA256 of the body with the app secret."""
    if not app_secret or not header or not header.startswith("sha256="):
        return False
    return pywa_utils.webhook_updates_validator(app_secret, body, header)


def sign(app_secret: str, body: bytes) -> str:
    """Return the X-Hub-Signature-256 value for a body (the fake API and tests sign with it)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def at(value) -> datetime:
    """Return a gateway's Unix time, or now when it is none (or no possible time)."""
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(timezone.utc)


class Unreadable(ValueError):
    """A webhook body, or one message in it, that cannot be read; kept for the administrator
    (see services.record_unreadable) while the webhook answers 200."""


MAX_ID = 150  # the provider's message id, stored as "<channel>:<id>" in 200 characters


def _obj(value) -> dict:
    return value if isinstance(value, dict) else {}


def _dict(value, what: str) -> dict:
    if not isinstance(value, dict):
        raise Unreadable(f"{what} is not an object")
    return value


def _list(value, what: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Unreadable(f"{what} is not a list")
    return value


def sender(raw) -> str:
    """Return a gateway's sender as stored (country code and digits); raise Unreadable."""
    try:
        return phones.from_gateway(raw).removeprefix("+")
    except ValueError:
        raise Unreadable("the sender is not a phone number") from None


def message_id(raw) -> str:
    """Return a gateway's message id; raise Unreadable when it is missing or too long."""
    value = str(raw if raw is not None else "")
    if not value or len(value) > MAX_ID:
        raise Unreadable("the message id is missing or too long")
    return value


def _message(raw: dict) -> Incoming | None:
    if not isinstance(raw, dict):
        raise Unreadable("a message is not an object")
    if texts.first_control(raw) is not None:
        raise Unreadable("control characters in a message")
    kind = raw.get("type", "")
    if not raw.get("id") or not raw.get("from"):
        return None  # not a message from a citizen (WhatsApp sends none without both)
    common = {"id": message_id(raw.get("id")), "phone": sender(raw.get("from")),
              "at": at(raw.get("timestamp"))}
    if kind == "text":
        if not isinstance(raw.get("text"), dict):
            raise Unreadable("a text message without a text object")
        return Incoming(kind="text", text=str(raw["text"].get("body", ""))[:4096], **common)
    if kind == "location":
        loc = _obj(raw.get("location"))
        try:
            lat, lng = float(loc["latitude"]), float(loc["longitude"])
        except (KeyError, TypeError, ValueError):
            return Incoming(kind="other", **common)
        place = ", ".join(str(loc[k]) for k in ("name", "address") if loc.get(k))
        return Incoming(kind="location", lat=lat, lng=lng, place=place[:300], **common)
    if kind == "interactive":
        inter = _obj(raw.get("interactive"))
        chosen = _obj(inter.get("button_reply") or inter.get("list_reply"))
        return Incoming(kind="reply", reply_id=str(chosen.get("id", ""))[:200],
                        text=str(chosen.get("title", ""))[:200], **common)
    if kind == "button":  # a quick-reply button of a template message
        button = _obj(raw.get("button"))
        return Incoming(kind="reply", reply_id=str(button.get("payload", ""))[:200],
                        text=str(button.get("text", ""))[:200], **common)
    if kind in MEDIA_KINDS:
        media = _obj(raw.get(kind))
        return Incoming(kind="image" if kind == "image" else "other",
                        media_id=str(media.get("id", "")),
                        mime_type=str(media.get("mime_type", "")),
                        text=str(media.get("caption", ""))[:1000], **common)
    return Incoming(kind="other", **common)


def parse(update) -> tuple[list[Incoming], list[StatusUpdate], list[tuple[str, object]]]:
    """Return the messages, the delivery statuses and the unreadable messages (reason, raw)
    in one webhook body; raise Unreadable when the body's shape is not Meta's."""
    messages: list[Incoming] = []
    statuses: list[StatusUpdate] = []
    unreadable: list[tuple[str, object]] = []
    if not isinstance(update, dict):
        raise Unreadable("the update is not an object")
    for entry in _list(update.get("entry"), "entry"):
        for change in _list(_dict(entry, "an entry").get("changes"), "changes"):
            value = _dict(_dict(change, "a change").get("value") or {}, "a value")
            for raw in _list(value.get("messages"), "messages"):
                try:
                    message = _message(raw)
                except Unreadable as exc:
                    unreadable.append((str(exc), raw))
                    continue
                if message is not None:
                    messages.append(message)
            for raw in _list(value.get("statuses"), "statuses"):
                raw = _obj(raw)
                errors = raw.get("errors") if isinstance(raw.get("errors"), list) else []
                error = ""
                if errors:
                    first = errors[0] if isinstance(errors[0], dict) else {"title": errors[0]}
                    error = f"{first.get('code', '')} {first.get('title', '')}".strip()
                if raw.get("id") and raw.get("status"):
                    statuses.append(StatusUpdate(
                        texts.strip_control(str(raw["id"]))[:200],
                        texts.strip_control(str(raw["status"]))[:20],
                        at(raw.get("timestamp")), texts.strip_control(error)[:300]))
    return messages, statuses, unreadable
