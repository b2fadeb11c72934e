"""The WhatsApp conversation as a state machine over a draft (pure: no database, no HTTP).

`step(draft, message, ctx, now)` returns the new draft, the replies to send and at most one
action for the caller (sigap.channels.services) to carry out through the report services:
create the report, support a nearby one, or confirm/reopen after "Sudah beres?". The context
`ctx` answers the questions that need the city's data (categories, places, nearby reports).
The draft is JSON: it is stored on the Conversation after every step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from django.utils.translation import gettext as _

from sigap.channels.inbound import Incoming
from sigap.channels.matching import best, normalise

IDLE = timedelta(minutes=30)
MAX_PHOTOS = 3
TICKET = re.compile(r"^\s*status\s+([A-Za-z]{2,6}-\d{4}-\d{1,8})\s*$", re.IGNORECASE)
CANCEL = {"batal", "cancel", "stop"}
SKIP = {"lewati", "lanjut", "skip", "next", "tidak ada", "tidak"}
YES = {"ya", "y", "yes", "benar", "betul", "ok", "oke", "iya"}
NO = {"bukan", "tidak", "no", "salah", "n"}


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[str, str], ...] = ()  # (id, title), at most 3
    sections: tuple[tuple[str, tuple[tuple[str, str, str], ...]], ...] = ()  # list message
    button_title: str = ""

    def as_dict(self) -> dict:
        out: dict = {"text": self.text}
        if self.buttons:
            out["buttons"] = [list(b) for b in self.buttons]
        if self.sections:
            out["sections"] = [[title, [list(r) for r in rows]] for title, rows in self.sections]
            out["button_title"] = self.button_title
        return out


@dataclass(frozen=True)
class Question:
    code: str
    label: str
    datatype: str
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class CategoryInfo:
    code: str
    name: str
    is_emergency: bool = False
    is_sensitive: bool = False
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Place:
    name: str  # "Oebobo, Kec. Oebobo"
    lat: float
    lng: float


@dataclass(frozen=True)
class Nearby:
    ticket: str
    status: str
    distance_m: int
    description: str


@dataclass
class Outcome:
    draft: dict
    replies: list[Reply] = field(default_factory=list)
    action: tuple = ()
    language: str = ""  # set when the citizen asked for another language


class Context(Protocol):
    city_name: str

    def emergency_numbers(self) -> list[tuple[str, str]]: ...
    def groups(self) -> list[tuple[str, list[tuple[str, str]]]]: ...
    def category(self, code: str) -> CategoryInfo | None: ...
    def match_category(self, text: str) -> str | None: ...
    def locate(self, lat: float, lng: float) -> str | None: ...
    def match_place(self, text: str) -> Place | None: ...
    def nearby(self, code: str, lat: float, lng: float) -> list[Nearby]: ...
    def status_text(self, ticket: str, phone: str) -> str: ...


# --- Prompts --------------------------------------------------------------------------------

def greeting(ctx: Context) -> Reply:
    numbers = "\n".join(f"• {label}: {number}" for number, label in ctx.emergency_numbers())
    return Reply(_(
        "Halo! Ini layanan pengaduan Sigap %(city)s. Saya bantu Anda melapor dalam tiga "
        "langkah: masalahnya, fotonya, tempatnya.\n\nKeadaan darurat? Telepon langsung:\n"
        "%(numbers)s\n\nKetik \"batal\" kapan saja untuk berhenti, \"status <nomor tiket>\" "
        "untuk menanyakan laporan. Type \"english\" for English.") % {
        "city": ctx.city_name, "numbers": numbers})


def group_list(ctx: Context) -> Reply:
    rows = tuple((f"grp:{i}", title[:24], ", ".join(n for _c, n in cats)[:72])
                 for i, (title, cats) in enumerate(ctx.groups()))
    return Reply(_("Masalah apa yang ingin Anda laporkan? Pilih dari daftar, atau tulis "
                   "singkat (misalnya \"sampah\")."),
                 sections=((_("Kelompok"), rows[:10]),), button_title=_("Pilih masalah"))


def category_list(ctx: Context, index: int) -> Reply:
    title, cats = ctx.groups()[index]
    rows = tuple((f"cat:{code}", name[:24], name[24:96]) for code, name in cats[:10])
    return Reply(_("Pilih jenis masalah (%(group)s).") % {"group": title},
                 sections=((title[:24], rows),), button_title=_("Pilih"))


def photo_prompt() -> Reply:
    return Reply(_("Kirim foto masalahnya (paling banyak 3). Tidak ada foto? Tekan Lewati."),
                 buttons=(("skip", _("Lewati")),))


def place_prompt() -> Reply:
    return Reply(_("Di mana tempatnya? Bagikan lokasi (📎 → Lokasi), atau tulis nama "
                   "kelurahan atau tempat yang dikenal."))


def description_prompt(draft: dict) -> Reply:
    if draft.get("photos"):
        return Reply(_("Ceritakan singkat masalahnya (atau tekan Lewati)."),
                     buttons=(("skip", _("Lewati")),))
    return Reply(_("Ceritakan singkat masalahnya."))


def question_prompt(q: Question) -> Reply:
    if q.datatype == "singlevaluelist" and q.choices:
        if len(q.choices) <= 3:
            return Reply(q.label, buttons=tuple((f"ans:{k}", v[:20]) for k, v in q.choices))
        rows = tuple((f"ans:{k}", v[:24], v[24:96]) for k, v in q.choices[:10])
        return Reply(q.label, sections=((q.label[:24], rows),), button_title=_("Pilih"))
    if q.datatype == "number":
        return Reply(_("%(q)s (tulis angka)") % {"q": q.label})
    if q.datatype == "datetime":
        return Reply(_("%(q)s (contoh: 25/11/2026 14:30)") % {"q": q.label})
    return Reply(q.label)


def anonymous_prompt() -> Reply:
    return Reply(_("Laporan dikirim dengan nama Anda, atau anonim? Nomor Anda tidak pernah "
                   "ditampilkan ke publik."),
                 buttons=(("anon:no", _("Pakai nama")), ("anon:yes", _("Anonim"))))


def summary(draft: dict, ctx: Context) -> Reply:
    cat = ctx.category(draft.get("category", ""))
    lines = [_("Periksa laporan Anda:"),
             _("Masalah: %(c)s") % {"c": cat.name if cat else "-"},
             _("Tempat: %(p)s") % {"p": draft.get("place_name", "-")},
             _("Foto: %(n)d") % {"n": len(draft.get("photos", []))}]
    if draft.get("description"):
        lines.append(_("Keterangan: %(d)s") % {"d": draft["description"][:300]})
    for q in (cat.questions if cat else ()):
        if q.code in draft.get("answers", {}):
            value = draft["answers"][q.code]
            value = dict(q.choices).get(value, value)
            lines.append(f"{q.label}: {value}")
    lines.append(_("Pelapor: anonim") if draft.get("anonymous")
                 else _("Pelapor: %(n)s") % {"n": draft.get("name", "")})
    return Reply("\n".join(lines), buttons=(("ok:send", _("Kirim")), ("ok:cancel", _("Batal"))))


def prompt_for(draft: dict, ctx: Context) -> list[Reply]:
    """Return the question the conversation is waiting on (to repeat it)."""
    step = draft.get("step", "")
    if step == "group":
        return [group_list(ctx)]
    if step == "category":
        return [category_list(ctx, draft.get("group", 0))]
    if step == "photo":
        return [photo_prompt()]
    if step == "place":
        return [place_prompt()]
    if step == "place_confirm":
        return [_place_confirm(draft)]
    if step == "description":
        return [description_prompt(draft)]
    if step == "question":
        q = _current_question(draft, ctx)
        return [question_prompt(q)] if q else []
    if step == "anonymous":
        return [anonymous_prompt()]
    if step == "name":
        return [Reply(_("Siapa nama Anda?"))]
    if step == "confirm":
        return [summary(draft, ctx)]
    if step == "reopen_reason":
        return [Reply(_("Apa yang belum beres? Ceritakan singkat."))]
    return [greeting(ctx), group_list(ctx)]


def _place_confirm(draft: dict) -> Reply:
    return Reply(_("Maksud Anda %(p)s?") % {"p": draft.get("candidate", {}).get("name", "")},
                 buttons=(("place:yes", _("Ya, benar")), ("place:no", _("Bukan"))))


def _current_question(draft: dict, ctx: Context) -> Question | None:
    cat = ctx.category(draft.get("category", ""))
    if cat is None:
        return None
    pending = [q for q in cat.questions if q.code not in draft.get("answers", {})]
    return pending[0] if pending else None


# --- Steps ----------------------------------------------------------------------------------

def _word(message: Incoming) -> str:
    return " ".join((message.text or "").lower().split())


def _choose_category(draft: dict, code: str, ctx: Context) -> list[Reply]:
    cat = ctx.category(code)
    draft.update(category=code, step="photo")
    draft.pop("group", None)
    replies = []
    if cat and cat.is_emergency:
        numbers = ", ".join(f"{label} {number}" for number, label in ctx.emergency_numbers())
        replies.append(Reply(_("DARURAT: jika ada api, orang terjebak atau terluka, telepon "
                               "sekarang juga (%(numbers)s). Laporan ini tetap kami teruskan "
                               "dengan prioritas tertinggi.") % {"numbers": numbers}))
    replies.append(Reply(_("Masalah: %(c)s.") % {"c": cat.name if cat else code}))
    replies.append(photo_prompt())
    return replies


def _after_place(draft: dict, ctx: Context) -> list[Reply]:
    cat = ctx.category(draft["category"])
    found = [] if cat is None or cat.is_sensitive else ctx.nearby(
        draft["category"], draft["lat"], draft["lng"])
    if found:
        near = found[0]
        draft.update(step="nearby", nearby=near.ticket)
        return [Reply(_("Sudah ada laporan serupa %(d)d m dari sini: %(t)s (%(s)s) — "
                        "\"%(text)s\". Masalah yang sama?") % {
            "d": near.distance_m, "t": near.ticket, "s": near.status,
            "text": near.description[:120]},
            buttons=(("near:yes", _("Ya, sama")), ("near:no", _("Bukan, lain"))))]
    draft["step"] = "description"
    return [description_prompt(draft)]


def _after_description(draft: dict, ctx: Context) -> list[Reply]:
    q = _current_question(draft, ctx)
    if q is not None:
        draft["step"] = "question"
        return [question_prompt(q)]
    draft["step"] = "anonymous"
    return [anonymous_prompt()]


def _parse_datetime(text: str) -> str | None:
    for fmt in ("%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M", "%d/%m/%Y", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt).isoformat()
        except ValueError:
            continue
    return None


def choice_for(text: str, choices) -> str | None:
    """Return the key of the choice that `text` names: its key, the start of its label
    ("banyak" for "Banyak (satu truk)"), or a close spelling of either."""
    typed = normalise(text)
    if not typed:
        return None
    for key, label in choices:
        if typed == normalise(key) or normalise(label).startswith(typed):
            return key
    return best(text, [(k, [k, v]) for k, v in choices], threshold=0.7)


def _answer(q: Question, message: Incoming) -> object | None:
    text = (message.text or "").strip()
    if q.datatype == "singlevaluelist":
        if message.reply_id.startswith("ans:"):
            key = message.reply_id[4:]
            return key if key in dict(q.choices) else None
        return choice_for(text, q.choices)
    if q.datatype == "number":
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return None
    if q.datatype == "datetime":
        return _parse_datetime(text)
    return text[:4000] or None


def _advance(draft: dict, message: Incoming, ctx: Context, now: datetime) -> Outcome:
    draft = dict(draft or {})
    word = _word(message)
    reply_id = message.reply_id
    out = Outcome(draft)

    # Anywhere in the conversation: cancel, language, status, "Sudah beres?" answers.
    if word in CANCEL:
        out.draft = {}
        out.replies = [Reply(_("Laporan dibatalkan. Kirim pesan apa saja untuk mulai lagi."))]
        return out
    if word in ("english", "inggris", "bahasa inggris"):
        out.language = "en"
        return out  # the caller repeats the current question in the new language
    if word in ("indonesia", "bahasa indonesia", "bahasa"):
        out.language = "id"
        return out
    if match := TICKET.match(message.text or ""):
        out.replies = [Reply(ctx.status_text(match.group(1).upper(), message.phone))]
        return out
    if reply_id.startswith("fix:"):
        _fix, answer, ticket = (reply_id.split(":", 2) + ["", ""])[:3]
        if answer == "yes":
            out.action = ("confirm_fixed", ticket, True, "")
            return out
        draft.update(step="reopen_reason", reopen=ticket, resume=draft.get("step", ""))
        out.replies = [Reply(_("Apa yang belum beres? Ceritakan singkat."))]
        return out

    current = draft.get("step", "")
    touched = draft.get("touched")
    if current and current not in ("resume", "reopen_reason") and touched and \
            now - datetime.fromisoformat(touched) > IDLE and not reply_id:
        draft.update(step="resume", resume=current)
        out.replies = [Reply(_("Anda masih punya laporan yang belum selesai. Lanjutkan?"),
                             buttons=(("resume:yes", _("Lanjutkan")),
                                      ("resume:no", _("Mulai baru"))))]
        return _touch(out, now)

    if current == "resume":
        if reply_id == "resume:yes" or word in YES or word == "lanjutkan":
            draft["step"] = draft.pop("resume")
            out.replies = prompt_for(draft, ctx)
        else:
            out.draft = {"step": "group"}
            out.replies = [group_list(ctx)]
        return _touch(out, now)

    if current == "reopen_reason":
        if not word:
            out.replies = prompt_for(draft, ctx)
            return out
        ticket = draft.pop("reopen")
        draft["step"] = draft.pop("resume", "")
        out.action = ("confirm_fixed", ticket, False, message.text.strip()[:1000])
        return out

    if not current:
        draft.clear()
        code = ctx.match_category(message.text) if message.kind == "text" else None
        out.replies = [greeting(ctx)]
        if code:
            out.replies += _choose_category(draft, code, ctx)
        else:
            draft["step"] = "group"
            out.replies.append(group_list(ctx))
        return _touch(out, now)

    handler = _STEPS[current]
    out.replies = handler(draft, message, ctx, word)
    return _touch(out, now)


def _touch(out: Outcome, now: datetime) -> Outcome:
    if out.draft:
        out.draft["touched"] = now.isoformat()
    return out


def _step_group(draft, message, ctx, word):
    groups = ctx.groups()
    if message.reply_id.startswith("grp:"):
        try:
            index = int(message.reply_id[4:])
            groups[index]
        except (ValueError, IndexError):
            return [group_list(ctx)]
        if len(groups[index][1]) == 1:
            return _choose_category(draft, groups[index][1][0][0], ctx)
        draft.update(step="category", group=index)
        return [category_list(ctx, index)]
    return _step_category(draft, message, ctx, word)


def _step_category(draft, message, ctx, word):
    if message.reply_id.startswith("cat:") and ctx.category(message.reply_id[4:]):
        return _choose_category(draft, message.reply_id[4:], ctx)
    code = ctx.match_category(message.text) if message.text else None
    if code:
        return _choose_category(draft, code, ctx)
    return [Reply(_("Maaf, jenis masalah itu tidak kami kenali.")), group_list(ctx)]


def _step_photo(draft, message, ctx, word):
    if message.kind == "image":
        if message.photo_error:
            return [Reply(message.photo_error), photo_prompt()]
        photos = draft.setdefault("photos", [])
        if message.photo and len(photos) < MAX_PHOTOS:
            photos.append(message.photo)
        if message.text and not draft.get("description"):
            draft["description"] = message.text.strip()[:4000]
        if len(photos) >= MAX_PHOTOS:
            draft["step"] = "place"
            return [Reply(_("Foto %(n)d/%(max)d diterima.") % {"n": len(photos),
                                                                "max": MAX_PHOTOS}),
                    place_prompt()]
        return [Reply(_("Foto %(n)d/%(max)d diterima. Kirim foto lain, atau tekan Lanjut.")
                      % {"n": len(photos), "max": MAX_PHOTOS},
                      buttons=(("skip", _("Lanjut")),))]
    if message.kind == "other":
        return [Reply(_("Berkas ini bukan foto. Kirim foto (JPEG, PNG atau WebP), atau tekan "
                        "Lewati."), buttons=(("skip", _("Lewati")),))]
    if message.reply_id == "skip" or word in SKIP:
        draft["step"] = "place"
        return [place_prompt()]
    return _step_place(draft, message, ctx, word)  # a pin or a place name: go on from there


def _step_place(draft, message, ctx, word):
    if message.kind == "location":
        kelurahan = ctx.locate(message.lat, message.lng)
        if kelurahan is None:
            return [Reply(_("Lokasi itu berada di luar wilayah %(city)s. Kirim lokasi di dalam "
                            "kota, atau tulis nama kelurahannya.") % {"city": ctx.city_name})]
        draft.update(lat=message.lat, lng=message.lng, address=message.place,
                     place_name=f"{message.place} ({kelurahan})" if message.place else kelurahan)
        return [Reply(_("Lokasi diterima: %(p)s.") % {"p": draft["place_name"]})] + \
            _after_place(draft, ctx)
    if message.kind in ("image", "other"):
        return [place_prompt()]
    place = ctx.match_place(message.text) if message.text else None
    if place is None:
        return [Reply(_("Tempat \"%(t)s\" tidak kami temukan di %(city)s.") % {
            "t": message.text[:60], "city": ctx.city_name}), place_prompt()]
    draft.update(step="place_confirm", candidate={
        "name": place.name, "lat": place.lat, "lng": place.lng, "typed": message.text[:200]})
    return [_place_confirm(draft)]


def _step_place_confirm(draft, message, ctx, word):
    if message.reply_id == "place:yes" or word in YES:
        c = draft.pop("candidate")
        draft.update(lat=c["lat"], lng=c["lng"], address=c["typed"], place_name=c["name"])
        return _after_place(draft, ctx)
    if message.reply_id == "place:no" or word in NO:
        draft.pop("candidate", None)
        draft["step"] = "place"
        return [place_prompt()]
    draft["step"] = "place"
    return _step_place(draft, message, ctx, word)


def _step_nearby(draft, message, ctx, word):
    if message.reply_id == "near:yes" or word in YES:
        return [_SUPPORT_MARK]
    draft["step"] = "description"
    draft.pop("nearby", None)
    return [description_prompt(draft)]


def _step_description(draft, message, ctx, word):
    if (message.reply_id == "skip" or word in SKIP) and draft.get("photos"):
        return _after_description(draft, ctx)
    if message.kind != "text" or not message.text.strip():
        return [description_prompt(draft)]
    draft["description"] = message.text.strip()[:4000]
    return _after_description(draft, ctx)


def _step_question(draft, message, ctx, word):
    q = _current_question(draft, ctx)
    if q is None:
        return _after_description(draft, ctx)
    value = _answer(q, message)
    if value is None:
        return [Reply(_("Jawaban itu tidak bisa kami pakai.")), question_prompt(q)]
    draft.setdefault("answers", {})[q.code] = value
    return _after_description(draft, ctx)


def _step_anonymous(draft, message, ctx, word):
    if message.reply_id == "anon:yes" or word in ("anonim", "anonymous"):
        draft.update(anonymous=True, step="confirm")
        return [summary(draft, ctx)]
    if message.reply_id == "anon:no" or word in ("nama", "pakai nama", "name"):
        draft.update(anonymous=False, step="name")
        return [Reply(_("Siapa nama Anda?"))]
    return [anonymous_prompt()]


def _step_name(draft, message, ctx, word):
    if message.kind != "text" or not message.text.strip():
        return [Reply(_("Siapa nama Anda?"))]
    draft.update(name=message.text.strip()[:120], step="confirm")
    return [summary(draft, ctx)]


def _step_confirm(draft, message, ctx, word):
    if message.reply_id == "ok:send" or word in ("kirim", "send") or word in YES:
        return [_CREATE_MARK]
    if message.reply_id == "ok:cancel":
        return [_CANCEL_MARK]
    return [summary(draft, ctx)]


# Steps that end in an action return a marker reply, turned into the action below.
_CREATE_MARK = Reply("\0create")
_SUPPORT_MARK = Reply("\0support")
_CANCEL_MARK = Reply("\0cancel")

_STEPS = {
    "group": _step_group, "category": _step_category, "photo": _step_photo,
    "place": _step_place, "place_confirm": _step_place_confirm, "nearby": _step_nearby,
    "description": _step_description, "question": _step_question,
    "anonymous": _step_anonymous, "name": _step_name, "confirm": _step_confirm,
}


def _resolve_marks(out: Outcome) -> Outcome:
    if out.replies and out.replies[-1] is _CREATE_MARK:
        out.replies = []
        out.action = ("create",)
    elif out.replies and out.replies[-1] is _SUPPORT_MARK:
        out.replies = []
        out.action = ("support", out.draft.get("nearby", ""))
    elif out.replies and out.replies[-1] is _CANCEL_MARK:
        out.draft = {}
        out.replies = [Reply(_("Laporan dibatalkan. Kirim pesan apa saja untuk mulai lagi."))]
    return out


def step(draft: dict, message: Incoming, ctx: Context, now: datetime) -> Outcome:
    """Advance the conversation by one message (see the module docstring)."""
    return _resolve_marks(_advance(draft, message, ctx, now))
