"""Reports by SMS for phones without data: one message, or a short guided exchange.

`LAPOR <kategori> <tempat>: <keterangan>` — forgiving in spelling and case ("lapor sampa
oebobo: numpuk di got"). What is missing is asked for, one short question at a time; every
reply fits one SMS (160 characters). Pure functions, like the WhatsApp conversation.

Language: Indonesian first. A citizen who starts with the English keyword (`REPORT
<category> <place>: <details>`) or sends `ENGLISH` is answered in English from then on (the
conversation keeps it); `LAPOR` or `INDONESIA` switches back. The keyword's language is
the citizen's choice: "lapor" in an English conversation switches it back to Indonesian.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timezone

from django.utils import translation
from django.utils.translation import gettext as _

from sigap.channels.conversation import TICKET, Outcome, Reply, choice_for
from sigap.channels import inbound
from sigap.channels.inbound import Incoming, Unreadable, message_id, sender
from sigap.channels.matching import normalise
from sigap.lib import text as texts

SMS_MAX = 160
KEYWORD = re.compile(r"^\s*(lapor|lapr|lpr|laport|lapoer|report|reprt|repot|rapor)\b[\s:]*",
                     re.IGNORECASE)
ENGLISH_KEYWORDS = {"report", "reprt", "repot"}
ENGLISH = {"english", "inggris", "bahasa inggris", "en"}
INDONESIAN = {"indonesia", "bahasa indonesia", "bahasa", "id"}


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    if not header:
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.strip().removeprefix("sha256="))


def incoming(data) -> Incoming:
    """Return the gateway's JSON {"id", "from", "text"[, "timestamp"]} as an Incoming; raise
    inbound.Unreadable when it is not that."""
    if not isinstance(data, dict):
        raise Unreadable("the message is not an object")
    if texts.first_control(data) is not None:
        raise Unreadable("control characters in the message")
    phone = sender(data.get("from"))
    at = datetime.now(timezone.utc)
    if data.get("timestamp"):
        at = inbound.at(data["timestamp"])
    return Incoming(id=message_id(data.get("id")), phone=phone, at=at, kind="text",
                    text=str(data.get("text", ""))[:1000])


def fits(text: str) -> str:
    """Cut a reply to one SMS."""
    return text if len(text) <= SMS_MAX else text[:SMS_MAX - 1] + "…"


def created_reply(ticket: str, agency: str, link: str) -> str:
    """The reply to a report made: the ticket and the whole link, never cut (the agency is
    left out first when the city's address is long)."""
    text = _("Laporan %(t)s diterima, diteruskan ke %(a)s. Pantau: %(link)s") % {
        "t": ticket, "a": agency[:20], "link": link}
    if len(text) > SMS_MAX:
        text = _("Laporan %(t)s diterima. Pantau: %(link)s") % {"t": ticket, "link": link}
    return text


def status_reply(ticket: str, status: str, link: str) -> str:
    """The reply to "status <ticket>" by SMS: the state and the public link."""
    return _("%(t)s: %(s)s. %(link)s") % {"t": ticket, "s": status[:40], "link": link}


def parse(text: str, ctx) -> dict:
    """Read `LAPOR <kategori> <tempat>: <keterangan>` into what it names (may be partial)."""
    found: dict = {}
    body = KEYWORD.sub("", text or "", count=1)
    head, _sep, description = body.partition(":")
    if description.strip():
        found["description"] = description.strip()[:4000]
    words = head.split()
    # The shortest run of leading words that names a category; the rest names the place.
    for n in range(1, min(len(words), 4) + 1):
        code = ctx.match_category(" ".join(words[:n]))
        if code:
            found["category"] = code
            words = words[n:]
            break
    if words:
        place = ctx.match_place(" ".join(words))
        if place is not None:
            found.update(lat=place.lat, lng=place.lng, place_name=place.name,
                         address=" ".join(words)[:300])
    return found


def _ask(draft: dict, ctx) -> Reply | None:
    if not draft.get("category"):
        names = ", ".join(n.split()[0].upper() for _g, cats in ctx.groups()
                          for _c, n in cats[:1])
        return Reply(fits(_("Masalah apa? Balas 1 kata, mis. %(n)s") % {"n": names}))
    if draft.get("lat") is None:
        return Reply(fits(_("Di kelurahan mana? Balas nama kelurahan/tempat.")))
    if not draft.get("description"):
        return Reply(fits(_("Ceritakan singkat masalahnya.")))
    cat = ctx.category(draft["category"])
    for q in cat.questions if cat else ():
        if q.code not in draft.get("answers", {}):
            options = " ".join(f"{i}){label}" for i, (_k, label) in enumerate(q.choices, 1))
            return Reply(fits(f"{q.label}? {options}".strip()))
    return None


def _answer_question(draft: dict, text: str, ctx) -> bool:
    cat = ctx.category(draft["category"])
    for q in cat.questions if cat else ():
        if q.code in draft.get("answers", {}):
            continue
        value = text.strip()
        if q.choices:
            keys = [k for k, _label in q.choices]
            if value.isascii() and value.isdigit() and 1 <= int(value) <= len(keys):
                value = keys[int(value) - 1]
            else:
                value = choice_for(value, q.choices)
        if not value:
            return False
        draft.setdefault("answers", {})[q.code] = value
        return True
    return False


def help_text() -> str:
    return _("Kirim: LAPOR <masalah> <tempat>: <keterangan>. Contoh: LAPOR sampah Oebobo: "
             "menumpuk di got. Balas ENGLISH untuk bahasa Inggris.")


def prompt(draft: dict, ctx) -> Reply:
    """What the exchange waits for (repeated after a change of language)."""
    if not draft:
        return Reply(fits(help_text()))
    return _ask(draft, ctx) or Reply(fits(help_text()))


def language_of(text: str) -> str:
    """The language a message asks for ("en", "id"), or "" when it names none."""
    word = normalise(text)
    if word in ENGLISH:
        return "en"
    if word in INDONESIAN:
        return "id"
    keyword = KEYWORD.match(text or "")
    if keyword:
        return "en" if keyword.group(1).lower() in ENGLISH_KEYWORDS else "id"
    return ""


def step(draft: dict, message: Incoming, ctx, now: datetime) -> Outcome:
    """Advance an SMS exchange by one message (in the language it asks for, if any)."""
    current = (translation.get_language() or "id")[:2]
    wanted = language_of(message.text or "")
    if wanted and wanted != current:
        with translation.override(wanted):
            out = _step(draft, message, ctx, now)
        out.language = wanted
        return out
    return _step(draft, message, ctx, now)


def _step(draft: dict, message: Incoming, ctx, now: datetime) -> Outcome:
    draft = dict(draft or {})
    text = message.text or ""
    word = normalise(text)
    if word in ENGLISH or word in INDONESIAN:
        return Outcome(draft, [prompt(draft, ctx)])
    if word in ("batal", "cancel"):
        return Outcome({}, [Reply(_("Laporan dibatalkan."))])
    if match := TICKET.match(text):
        status = ctx.status_text(match.group(1).upper(), message.phone, short=True)
        return Outcome(draft, [Reply(fits(status))])
    if KEYWORD.match(text) or not draft:
        draft = {"step": "sms", **parse(text, ctx)}
    elif not draft.get("category"):
        code = ctx.match_category(text)
        if code:
            draft["category"] = code
    elif draft.get("lat") is None:
        place = ctx.match_place(text)
        if place is None:
            return Outcome(draft, [Reply(fits(_("Tempat \"%(t)s\" tidak ditemukan. Balas nama "
                                                "kelurahan.") % {"t": text[:40]}))])
        draft.update(lat=place.lat, lng=place.lng, place_name=place.name, address=text[:300])
    elif not draft.get("description"):
        draft["description"] = text.strip()[:4000]
    elif not _answer_question(draft, text, ctx):
        return Outcome(draft, [_ask(draft, ctx)])
    ask = _ask(draft, ctx)
    if ask is not None:
        return Outcome(draft, [ask])
    draft["anonymous"] = True
    return Outcome(draft, [], action=("create",))
