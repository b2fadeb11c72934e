"""Moderation of what citizens publish on a report: flags, the city's word filter, and the
desk's decision to hide or keep (issue 28, item 5; docs/decisions/0015).

A `Moderation` row says how one comment (a COMMENT event, never edited: the history is
append-only) or one photo is shown. Every public surface shows only `models.SHOWN` ones
(the report page, the API, Open311); the office sees everything, marked. Each decision
also writes an internal event, so the report's history tells who hid what, when and why.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _, gettext_lazy

from sigap.accounts.models import Role
from sigap.reports.models import (
    BlockedWord, Flag, Moderation, Photo, Report, ReportEvent,
)
from sigap.reports.services.common import _lock, _record_change, role_of

S = Moderation.State
MAX_WORDS = 500
# What a citizen whose comment was held is told (the page, the API).
HELD_MESSAGE = gettext_lazy("Komentar Anda tersimpan dan menunggu tinjauan petugas sebelum "
                            "tampil untuk umum.")


# --- Who moderates ------------------------------------------------------------------------

def moderates(user, city_id: int) -> bool:
    """Return whether `user` keeps the moderation queue of this city: the city
    administrator, and the dispatchers of the city's agencies (the desk that already reads
    every new report and its comments)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if not (user.is_city_admin or user.role == Role.DISPATCHER):
        return False
    ids = user.office_city_ids()  # the user's city (tenancy); None: the install's admin
    return ids is None or city_id in ids


def _check(user, city_id: int) -> None:
    if not moderates(user, city_id):
        raise PermissionDenied


# --- The word filter ----------------------------------------------------------------------

def _pattern(words: list[str]):
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternatives})(?!\w)", re.IGNORECASE)


def held_word(city_id: int, text: str) -> str:
    """Return the first word of the city's filter in `text` (whole words, any case), or ""."""
    pattern = _pattern(list(BlockedWord.objects.filter(city_id=city_id)
                            .values_list("word", flat=True)))
    found = pattern.search(text or "") if pattern else None
    return found.group(1).lower() if found else ""


def set_words(city_id: int, text: str, *, actor, now: datetime) -> list[str]:
    """Replace the city's filter with the words of `text` (one a line or comma-separated)."""
    _check(actor, city_id)
    words = sorted({w.strip().lower() for w in re.split(r"[\n,]+", text or "") if w.strip()})
    if len(words) > MAX_WORDS:
        raise ValidationError({"words": _("Paling banyak %(n)d kata.") % {"n": MAX_WORDS}})
    too_long = [w for w in words if len(w) > 100]
    if too_long:
        raise ValidationError({"words": _("Kata terlalu panjang: %(w)s") % {
            "w": too_long[0][:40]}})
    with transaction.atomic():
        BlockedWord.objects.filter(city_id=city_id).exclude(word__in=words).delete()
        have = set(BlockedWord.objects.filter(city_id=city_id).values_list("word", flat=True))
        BlockedWord.objects.bulk_create([
            BlockedWord(city_id=city_id, word=w, created_by=actor, created_at=now)
            for w in words if w not in have])
    return words


def hold_if_filtered(event: ReportEvent, report: Report, *, now: datetime) -> str:
    """Inside the comment's transaction: hold it when it has a filtered word; return the
    word ("" when it is published)."""
    word = held_word(report.city_id, event.note)
    if word:
        Moderation.objects.create(city_id=report.city_id, report=report, event=event,
                                  state=S.HELD, held_for=word, created_at=now, updated_at=now)
    return word


# --- Flags ----------------------------------------------------------------------------------

def _target(kind: str, pk: int) -> tuple[Report, dict]:
    """Return the public report and the lookup of a public, shown comment or photo."""
    if kind == "comment":
        item = ReportEvent.objects.filter(pk=pk, kind=ReportEvent.Kind.COMMENT,
                                          is_public=True).select_related("report").first()
        lookup = {"event_id": pk}
    elif kind == "photo":
        item = Photo.objects.filter(pk=pk).select_related("report__category").first()
        lookup = {"photo_id": pk}
    else:
        item = None
    if item is None or not Report.objects.public().filter(pk=item.report_id).exists():
        raise ValidationError(_("Konten ini tidak ditemukan."))
    return item.report, lookup


def flag(kind: str, pk: int, *, flagger: str, user=None, reason: str,
         now: datetime) -> tuple[Moderation, bool]:
    """Record one person's flag of a public comment or photo; return (row, added). A second
    flag by the same person (account or browser) is not counted again."""
    if reason not in Flag.Reason.values:
        raise ValidationError(_("Pilih alasan."))
    report, lookup = _target(kind, pk)
    with transaction.atomic():
        row = Moderation.objects.select_for_update().filter(**lookup).first()
        if row is None:
            row = Moderation.objects.create(city_id=report.city_id, report=report,
                                            state=S.FLAGGED, created_at=now, updated_at=now,
                                            **lookup)
        if row.state in (S.HELD, S.HIDDEN):
            return row, False  # not shown: nothing for the public to flag
        try:
            with transaction.atomic():
                Flag.objects.create(moderation=row, flagger=flagger[:64],
                                    user=user if getattr(user, "pk", None) else None,
                                    reason=reason, created_at=now)
        except IntegrityError:
            return row, False
        Moderation.objects.filter(pk=row.pk).update(flag_count=F("flag_count") + 1,
                                                    updated_at=now)
    row.refresh_from_db()
    return row, True


# --- The desk's decision --------------------------------------------------------------------

HIDE, KEEP = "hide", "keep"


def decide(moderation_id: int, decision: str, *, actor, reason: str = "",
           now: datetime) -> Moderation:
    """Hide or keep a flagged or held comment or photo (the city's moderators only); write
    who, when and why on the row and an internal event in the report's history."""
    if decision not in (HIDE, KEEP):
        raise ValidationError(_("Keputusan tidak dikenal."))
    reason = (reason or "").strip()[:300]
    if decision == HIDE and not reason:
        raise ValidationError({"reason": _("Tuliskan alasan menyembunyikan.")})
    with transaction.atomic():
        row = Moderation.objects.select_for_update().get(pk=moderation_id)
        _check(actor, row.city_id)
        report = _lock(row.report_id)
        was_shown = row.is_shown
        row.state = S.HIDDEN if decision == HIDE else S.KEPT
        row.decided_by, row.decided_at, row.reason, row.updated_at = actor, now, reason, now
        row.save(update_fields=["state", "decided_by", "decided_at", "reason", "updated_at"])
        if row.event_id and was_shown != row.is_shown:  # the public count follows
            Report.objects.filter(pk=report.pk).update(
                comment_count=F("comment_count") + (1 if row.is_shown else -1))
        what = _("komentar") if row.event_id else _("foto")
        note = (_("%(what)s disembunyikan: %(reason)s") if decision == HIDE
                else _("%(what)s tetap ditampilkan")) % {"what": what, "reason": reason}
        event = ReportEvent.objects.create(
            report=report, kind=ReportEvent.Kind.INTERNAL_NOTE, actor=actor,
            actor_role=role_of(actor, report), agency_id=report.agency_id, note=note,
            is_public=False,
            data={"moderation": row.pk, "decision": decision,
                  "comment": row.event_id, "photo": row.photo_id}, at=now)
        _record_change([event.pk])
    return row
