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


def _at(value) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return datetime.now(timezone.utc)


def _message(raw: dict) -> Incoming | None:
    kind = raw.get("type", "")
    common = {"id": str(raw.get("id", "")), "phone": str(raw.get("from", "")),
              "at": _at(raw.get("timestamp"))}
    if not common["id"] or not common["phone"]:
        return None
    if kind == "text":
        return Incoming(kind="text", text=str(raw.get("text", {}).get("body", ""))[:4096],
                        **common)
    if kind == "location":
        loc = raw.get("location", {})
        try:
            lat, lng = float(loc["latitude"]), float(loc["longitude"])
        except (KeyError, TypeError, ValueError):
            return Incoming(kind="other", **common)
        place = ", ".join(str(loc[k]) for k in ("name", "address") if loc.get(k))
        return Incoming(kind="location", lat=lat, lng=lng, place=place[:300], **common)
    if kind == "interactive":
        inter = raw.get("interactive", {})
        chosen = inter.get("button_reply") or inter.get("list_reply") or {}
        return Incoming(kind="reply", reply_id=str(chosen.get("id", ""))[:200],
                        text=str(chosen.get("title", ""))[:200], **common)
    if kind == "button":  # a quick-reply button of a template message
        button = raw.get("button", {})
        return Incoming(kind="reply", reply_id=str(button.get("payload", ""))[:200],
                        text=str(button.get("text", ""))[:200], **common)
    if kind in MEDIA_KINDS:
        media = raw.get(kind, {})
        return Incoming(kind="image" if kind == "image" else "other",
                        media_id=str(media.get("id", "")),
                        mime_type=str(media.get("mime_type", "")),
                        text=str(media.get("caption", ""))[:1000], **common)
    return Incoming(kind="other", **common)


def parse(update: dict) -> tuple[list[Incoming], list[StatusUpdate]]:
    """Return the messages and the delivery statuses in one webhook body."""
    messages: list[Incoming] = []
    statuses: list[StatusUpdate] = []
    if not isinstance(update, dict):
        return messages, statuses
    for entry in update.get("entry") or []:
        for change in (entry or {}).get("changes") or []:
            value = (change or {}).get("value") or {}
            for raw in value.get("messages") or []:
                message = _message(raw or {})
                if message is not None:
                    messages.append(message)
            for raw in value.get("statuses") or []:
                errors = raw.get("errors") or []
                error = ""
                if errors:
                    error = f"{errors[0].get('code', '')} {errors[0].get('title', '')}".strip()
                if raw.get("id") and raw.get("status"):
                    statuses.append(StatusUpdate(str(raw["id"]), str(raw["status"]),
                                                 _at(raw.get("timestamp")), error[:300]))
    return messages, statuses
