"""What is not a transition: staff notes, citizens' comments, ratings, support, following,
and the reporter's "Sudah beres?" answer.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sigap.accounts.services import parse_destination
from sigap.reports import lifecycle, workflow
from sigap.reports.models import Follower, Report, ReportEvent, Support
from sigap.reports.workflow import Action, Role
from sigap.reports.services import moderation
from sigap.reports.services.common import MAX_DESCRIPTION, _lock, _record_change, role_of
from sigap.reports.services.sla import resume_sla
from sigap.reports.services.transitions import close, reopen


def add_note(report_id: int, *, actor, now: datetime, text: str, public: bool) -> ReportEvent:
    """Add a staff note: public (shown on the tracking page) or internal (staff only)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"note": _("Catatan kosong.")})
    with transaction.atomic():
        report = _lock(report_id)
        role = role_of(actor, report)
        workflow.check(role, report, Action.NOTE_PUBLIC if public else Action.NOTE_INTERNAL)
        kind = ReportEvent.Kind.PUBLIC_NOTE if public else ReportEvent.Kind.INTERNAL_NOTE
        event = ReportEvent.objects.create(
            report=report, kind=kind, actor=actor, actor_role=role, agency=report.agency,
            note=text[:MAX_DESCRIPTION], is_public=public, at=now)
        report.updated_at = now
        changes = lifecycle.public_note_fields(report, text) if public else {}
        for name, value in changes.items():
            setattr(report, name, value)
        report.save(update_fields=["updated_at", *changes])
        _record_change([event.pk])
    return event


def add_comment(report_id: int, *, actor, now: datetime, text: str) -> ReportEvent:
    """Add a citizen's public comment to a public report. The event's `held_for` is the
    filtered word that holds it for review ("" when it is published at once)."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Komentar kosong.")})
    if len(text) > 1000:
        raise ValidationError(
            {"text": _("Komentar maksimal 1000 karakter.")})
    with transaction.atomic():
        report = _lock(report_id)
        role = role_of(actor, report)
        try:
            workflow.check(role, report, Action.COMMENT)
        except workflow.IllegalTransition as exc:
            raise ValidationError({"text": exc.message}) from None
        event = ReportEvent.objects.create(
            report=report, kind=ReportEvent.Kind.COMMENT, actor=actor,
            actor_role=role, note=text, is_public=True, at=now)
        # A word of the city's filter holds it for the desk (not shown, not counted).
        event.held_for = moderation.hold_if_filtered(event, report, now=now)
        if not event.held_for:
            Report.objects.filter(pk=report.pk).update(comment_count=F("comment_count") + 1)
        _record_change([event.pk])
        if role == Role.REPORTER and report.sla_paused_at is not None:
            # The agency was waiting on the citizen, who has now answered.
            resume_sla(report.pk, actor=None, now=now, role=Role.SYSTEM,
                       note=_("Pelapor menjawab; tenggat berjalan lagi."))
    return event


def rate(report_id: int, *, actor, now: datetime, stars: int, comment: str = "",
         role=None) -> ReportEvent:
    """Record the reporter's 1–5 rating of a resolved or closed report."""
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if not 1 <= stars <= 5:
        raise ValidationError({"rating": _("Nilai 1 sampai 5.")})
    with transaction.atomic():
        report = _lock(report_id)
        acting = role or role_of(actor, report)
        workflow.check(acting, report, Action.RATE)
        event = ReportEvent.objects.create(
            report=report, kind=ReportEvent.Kind.RATING, actor=actor if getattr(actor, "pk", None)
            else None, actor_role=acting, new=str(stars), note=(comment or "").strip()[:1000],
            is_public=True, at=now)
        Report.objects.filter(pk=report.pk).update(rating=stars, updated_at=now)
    return event


def _state(report_id: int) -> Report:
    """The report's fields the state machine and `role_of` read, without locking it."""
    return Report.objects.only("status", "sla_paused_at", "is_public", "agency_id",
                               "officer_id", "team_id", "reporter_id").get(pk=report_id)


def support(report_id: int, *, supporter_key: str, user, now: datetime) -> bool:
    """Add one "saya juga" per person to an open report; return False when this person
    already supported (raise IllegalTransition when the report is no longer open)."""
    user = user if getattr(user, "is_authenticated", False) else None
    key = f"u{user.pk}" if user else supporter_key
    if not key:
        raise ValidationError({"support": _("Tidak bisa mengenali pendukung.")})
    report = _state(report_id)
    workflow.check(role_of(user, report), report, Action.SUPPORT)
    try:
        with transaction.atomic():
            Support.objects.create(report_id=report_id, supporter_key=key, user=user,
                                   created_at=now)
            Report.objects.filter(pk=report_id).update(support_count=F("support_count") + 1)
            if user is not None:
                Follower.objects.get_or_create(report_id=report_id, user=user,
                                               defaults={"created_at": now})
    except IntegrityError:
        return False
    return True


def follow(report_id: int, *, user, now: datetime) -> None:
    report = _state(report_id)
    workflow.check(role_of(user, report), report, Action.FOLLOW)
    Follower.objects.get_or_create(report_id=report_id, user=user, defaults={"created_at": now})


def unfollow(report_id: int, *, user) -> None:
    Follower.objects.filter(report_id=report_id, user=user).delete()


def reporter_confirms(report_id: int, *, fixed: bool, now: datetime, actor=None,
                      reason: str = "", stars: int | None = None, comment: str = "") -> Report:
    """Answer "Sudah beres?": yes closes (and rates), no reopens with a reason. The close and
    the rating are one transaction: both or neither."""
    if fixed:
        with transaction.atomic():
            report = close(report_id, actor=actor, now=now, role=Role.REPORTER,
                           note=_("Pelapor menyatakan sudah beres."))
            if stars:
                rate(report_id, actor=actor, now=now, stars=stars, comment=comment,
                     role=Role.REPORTER)
        return report
    return reopen(report_id, actor=actor, now=now, reason=reason, role=Role.REPORTER)


def forget_user(user, *, now: datetime) -> None:
    """A citizen deletes their account: their reports stay, without reporter or contact
    details; their supports stay counted (the key stays), only who gave them is forgotten.
    (Connected to accounts.signals.account_deleting in ReportsConfig.ready().)"""
    Report.objects.filter(reporter=user).update(
        reporter=None, is_anonymous=True, contact_name="", contact_phone="", contact_email="",
        updated_at=now)
    Support.objects.filter(user=user).update(user=None)


def claim_earlier_reports(user, destination, now: datetime) -> int:
    """Join to `user` the reports sent without an account with the phone number or e-mail
    a one-time code has just proved to be theirs; return how many. Anonymous reports stay
    anonymous (their contact was never kept)."""
    if getattr(user, "role", "citizen") != "citizen":
        return 0
    unclaimed = Report.objects.filter(reporter__isnull=True, is_anonymous=False)
    if destination.kind == "email":
        candidates = unclaimed.filter(contact_email__iexact=destination.value)
    else:
        # contact_phone is kept as typed ("0812 3456 7890"): narrow by its last four digits
        # in the database, then compare the normalised numbers.
        candidates = unclaimed.filter(contact_phone__endswith=destination.value[-4:])

        def same(raw):
            try:
                return parse_destination(raw).value == destination.value
            except ValidationError:
                return False

        ids = [pk for pk, raw in candidates.values_list("pk", "contact_phone") if same(raw)]
        candidates = Report.objects.filter(pk__in=ids)
    with transaction.atomic():
        ids = list(candidates.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        Report.objects.filter(pk__in=ids, reporter__isnull=True).update(reporter=user,
                                                                         updated_at=now)
        ReportEvent.objects.bulk_create([ReportEvent(
            report_id=pk, kind=ReportEvent.Kind.INTERNAL_NOTE, actor=user,
            actor_role=Role.REPORTER, note=_("Laporan dihubungkan ke akun pelapor."),
            is_public=False, at=now, data={"claimed_by": destination.kind}) for pk in ids])
    return len(ids)
