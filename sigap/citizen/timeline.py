"""The public story of a report, built from its public events (agency names, never people)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from sigap.reports.models import ReportEvent
from sigap.reports.workflow import Status

K = ReportEvent.Kind
# Events that are about the report's handling but say nothing useful to the public.
HIDDEN = {K.INTERNAL_NOTE, K.REMINDER, K.ESCALATION, K.SLA_PAUSED, K.SLA_RESUMED, K.SUPPORT}


@dataclass
class Entry:
    at: datetime
    title: str
    text: str = ""
    who: str = ""
    status: str = ""
    comment_id: int | None = None  # a citizen's comment: the public may flag it


def _agency(event) -> str:
    agency = event.agency
    return (agency.short_name or agency.name) if agency else ""


def _day(value) -> str:
    day = parse_date(value or "")
    return date_format(day, "j F Y") if day else ""


def _when(value) -> str:
    moment = parse_datetime(value or "")
    return date_format(localtime(moment), "j F Y H:i") if moment else ""


def _status_label(value: str) -> str:
    try:
        return str(Status(value).label)
    except ValueError:
        return value


def entries(events) -> list[Entry]:
    """Return the timeline entries for `events` (already filtered to public ones)."""
    out: list[Entry] = []
    for ev in events:
        if not ev.is_public or ev.kind in HIDDEN:
            continue
        who = _agency(ev)
        if ev.kind == K.CREATED:
            out.append(Entry(ev.at, _("Laporan diterima"), who=who, status=Status.SUBMITTED))
        elif ev.kind == K.STATUS and ev.action == "schedule":
            day = _day(ev.data.get("on"))
            out.append(Entry(ev.at, _("Dijadwalkan dikerjakan pada %(d)s") % {"d": day},
                             text=ev.note, who=who, status=ev.new))
        elif ev.kind == K.PRIORITY:
            out.append(Entry(ev.at, _("Prioritas diubah dari %(a)s ke %(b)s") % {
                "a": ev.old, "b": ev.new}, text=ev.note, who=who))
        elif ev.kind == K.DEADLINE:
            out.append(Entry(ev.at, _("Tenggat penyelesaian diubah ke %(d)s") % {
                "d": _when(ev.new)}, text=ev.note, who=who))
        elif ev.kind == K.STATUS:
            # The citizen's own answers ("Belum beres" reopens, "Sudah beres" closes) are
            # theirs, not the agency's.
            out.append(Entry(ev.at, _("Status: %(s)s") % {"s": _status_label(ev.new)},
                             text=ev.note, status=ev.new,
                             who=_("Pelapor") if ev.actor_role == "reporter" else who))
        elif ev.kind == K.ASSIGNED:
            out.append(Entry(ev.at, _("Ditugaskan ke petugas lapangan"), text=ev.note, who=who,
                             status=ev.new))
        elif ev.kind == K.REASSIGNED:
            out.append(Entry(ev.at, _("Dialihkan ke %(a)s") % {"a": who}, text=ev.note, who=who,
                             status=ev.new))
        elif ev.kind == K.PUBLIC_NOTE:
            out.append(Entry(ev.at, _("Catatan petugas"), text=ev.note, who=who))
        elif ev.kind == K.COMMENT:
            label = _("Komentar pelapor") if ev.actor_role == "reporter" else _("Komentar warga")
            out.append(Entry(ev.at, label, text=ev.note, comment_id=ev.pk))
        elif ev.kind == K.RATING:
            stars = "★" * int(ev.new or 0) + "☆" * (5 - int(ev.new or 0))
            out.append(Entry(ev.at, _("Penilaian pelapor: %(s)s") % {"s": stars}, text=ev.note))
        elif ev.kind == K.DUPLICATE:
            out.append(Entry(ev.at, _("Digabung dengan laporan %(t)s") % {
                "t": ev.data.get("of", "")}, who=who, status=ev.new))
        elif ev.kind == K.MERGED:
            out.append(Entry(ev.at, _("Laporan %(t)s digabung ke laporan ini") % {
                "t": ev.new}, who=who))
        elif ev.kind == K.RECATEGORISED:
            out.append(Entry(ev.at, _("Kategori diubah, diteruskan ke %(agency)s") % {
                "agency": _agency(ev)}, who=who, text=ev.note, status=ev.new))
    return out
