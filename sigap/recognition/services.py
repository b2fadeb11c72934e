"""Recognition read from the report rows: a citizen's standing, the monthly kelurahan board,
trusted reporters (their new reports verified by the system through the lifecycle kernel),
and the two settings a person changes: the citizen's opt-in and the office's revocation."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from sigap.accounts.models import User
from sigap.cities.models import Area
from sigap.recognition import points
from sigap.recognition.models import Profile, TrustRevocation
from sigap.reports import freshness, services as report_services, workflow
from sigap.reports.models import Report

BOARD_TOP = 5


def rows_of(user_id: int, city_id: int) -> list[points.Row]:
    """Return the citizen's reports in the city as the rows recognition reads (one query)."""
    return [points.Row(*values) for values in
            Report.objects.filter(reporter_id=user_id, city_id=city_id)
            .values_list("status", "verified_at", "resolved_at", "category__code")]


class Trust(NamedTuple):
    trusted: bool
    record: points.TrackRecord
    revoked: TrustRevocation | None


def trust_of(user_id: int, city_id: int, rows: list[points.Row] | None = None) -> Trust:
    """Return whether the citizen is a trusted reporter in the city, and why."""
    rows = rows_of(user_id, city_id) if rows is None else rows
    record = points.track_record(rows)
    revoked = TrustRevocation.objects.filter(user_id=user_id, city_id=city_id) \
        .select_related("revoked_by").first()
    trusted = points.is_trusted(
        record, min_verified=settings.SIGAP_TRUST_MIN_VERIFIED,
        max_rejected_percent=settings.SIGAP_TRUST_MAX_REJECTED_PERCENT,
        revoked=revoked is not None)
    return Trust(trusted, record, revoked)


class Standing(NamedTuple):
    points: int
    fixed: int
    badges: list[points.Badge]
    trust: Trust
    show_name: bool


def standing(user, city) -> Standing:
    """Return what the citizen's own page shows: points, badges, trust and the opt-in."""
    rows = rows_of(user.pk, city.pk)
    return Standing(points.points(rows), sum(1 for r in rows if points.is_fixed(r)),
                    points.badges(rows), trust_of(user.pk, city.pk, rows), shows_name(user))


def shows_name(user) -> bool:
    return Profile.objects.filter(user=user, show_name=True).exists()


def set_show_name(user, show: bool) -> Profile:
    """Record whether the citizen's name may appear on the public board."""
    with transaction.atomic():
        profile, _created = Profile.objects.update_or_create(user=user,
                                                             defaults={"show_name": show})
        freshness.bump()  # the public board shows the name, or stops showing it, at once
    return profile


def public_name(user: User) -> str:
    """The name the board may show: the one the citizen chose to display, never a contact."""
    return (user.display_name or user.get_full_name()).strip()


class AreaBoard(NamedTuple):
    kelurahan: str
    entries: list[points.Entry]


def monthly_board(city, start: datetime, end: datetime, top: int = BOARD_TOP) -> list[AreaBoard]:
    """Return each kelurahan's citizens with the most points for reports fixed between
    `start` and `end` (public, signed, not anonymous reports of the city), most first.

    Three queries whatever the number of rows: the counts, the opted-in names, the areas.
    """
    return board_of(city, board_counts(city, start, end), top)


def board_counts(city, start: datetime, end: datetime) -> list[tuple[int, int, int]]:
    """(kelurahan id, citizen id, fixed reports) of the month: the part of the board the
    worker keeps in the transparency page's snapshot (no name: an opt-out counts at once)."""
    return list(
        Report.objects.public()
        .filter(city=city, reporter__isnull=False, is_anonymous=False,
                kelurahan__isnull=False, status__in=points.FIXED,
                verified_at__isnull=False, resolved_at__gte=start, resolved_at__lt=end)
        .values_list("kelurahan_id", "reporter_id").annotate(n=Count("pk")).order_by())


def board_of(city, counts, top: int = BOARD_TOP, area_names: dict | None = None) \
        -> list[AreaBoard]:
    """The board of these counts: the opted-in names read now (one query), the kelurahan
    names given (the snapshot's) or read (one query)."""
    if not counts:
        return []
    ids = {user_id for _area, user_id, _n in counts}
    names = {u.pk: public_name(u) for u in User.objects.filter(
        pk__in=ids, recognition__show_name=True).only("display_name", "first_name",
                                                      "last_name")}
    boards = points.board(counts, {k: v for k, v in names.items() if v}, top)
    areas = area_names if area_names is not None else dict(
        Area.objects.filter(pk__in=boards, city=city).values_list("pk", "name"))
    return sorted((AreaBoard(areas.get(pk, ""), entries) for pk, entries in boards.items()),
                  key=lambda b: b.kelurahan)


def verify_if_trusted(report_id: int, *, now: datetime) -> bool:
    """Verify a new report by the system when its reporter is trusted in its city; return
    whether it was. The verification goes through the state machine and the lifecycle kernel
    (`reports.services.verify` with the SYSTEM role) and its event says who and why."""
    report = Report.objects.only("pk", "city_id", "reporter_id", "is_anonymous", "source",
                                 "status").get(pk=report_id)
    if report.reporter_id is None or report.is_anonymous \
            or report.source not in settings.SIGAP_TRUST_SOURCES \
            or report.status != workflow.Status.SUBMITTED:
        return False
    trust = trust_of(report.reporter_id, report.city_id)
    if not trust.trusted:
        return False
    record = trust.record
    note = _("Diverifikasi otomatis: pelapor tepercaya (%(v)d laporan terverifikasi, "
             "%(r)d ditolak).") % {"v": record.verified, "r": record.rejected}
    report_services.verify(
        report.pk, actor=None, now=now, note=note, role=workflow.Role.SYSTEM,
        data={"by": "trusted_reporter", "reporter": report.reporter_id,
              "verified": record.verified, "rejected": record.rejected})
    return True


def revoke_trust(city, user, *, by, now: datetime, reason: str = "") -> TrustRevocation:
    """Withdraw the citizen's trusted standing in the city (their reports wait again)."""
    with transaction.atomic():
        revocation, _created = TrustRevocation.objects.update_or_create(
            city=city, user=user, defaults={"revoked_by": by, "at": now,
                                            "reason": reason.strip()[:300]})
    return revocation


def restore_trust(city, user) -> None:
    """Let the citizen's track record decide again."""
    TrustRevocation.objects.filter(city=city, user=user).delete()


def month_bounds(city, year: int, month: int) -> tuple[datetime, datetime]:
    """Return the first instant of the month and of the next one, in the city's zone."""
    start = datetime(year, month, 1, tzinfo=city.tz)
    after = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=city.tz)
    return start, after


def month_of(text: str, city, now: datetime) -> tuple[int, int]:
    """Return the (year, month) a page asked for as "YYYY-MM", else the city's current one."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    local = now.astimezone(city.tz)
    return local.year, local.month


def shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1
