"""What a dashboard view covers (period, area, agency, category) and who may see it.

One `Scope` is read from the query string, narrowed by the viewer's role (an agency head
sees only their agency, whatever the URL says), and turned into the one queryset that the
figures, the drill-down lists and the exports all read, so their counts always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from sigap.accounts.models import Role as AccountRole
from sigap.lib import text
from sigap.reports import visibility
from sigap.reports.models import Report, ReportEvent


@dataclass(frozen=True)
class Scope:
    city_id: int
    tz: object
    start: date  # first day, inclusive (city's local calendar)
    end: date  # last day, inclusive
    kecamatan_id: int | None = None
    kelurahan_id: int | None = None
    agency_id: int | None = None
    category_id: int | None = None
    agency_locked: bool = False  # an agency head: the agency cannot be changed

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=self.tz)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.tz)

    @property
    def is_city_wide(self) -> bool:
        return not (self.kecamatan_id or self.kelurahan_id or self.agency_id or self.category_id)

    def params(self, **extra) -> dict:
        """Return the query-string parameters that select this scope (plus `extra`)."""
        p = {"dari": self.start.isoformat(), "sampai": self.end.isoformat()}
        for key, value in (("kecamatan", self.kecamatan_id), ("kelurahan", self.kelurahan_id),
                           ("dinas", self.agency_id), ("kategori", self.category_id)):
            if value and not (key == "dinas" and self.agency_locked):
                p[key] = value
        p.update({k: v for k, v in extra.items() if v not in (None, "")})
        return p

    def query(self, **extra) -> str:
        return urlencode(self.params(**extra))

    def with_(self, **changes) -> "Scope":
        return replace(self, **changes)


# Dates a scope may name: a day after FIRST_DAY's year would overflow the day after it.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def _int(value) -> int | None:
    try:  # not a number: no filter, as a link without it would show
        return text.as_id(value, refuse_too_large=True)
    except ValueError:
        raise BadRequest(_("Saringan tidak dikenal: nomor terlalu besar.")) from None


def _date(value, default: date) -> date:
    try:
        day = date.fromisoformat((value or "").strip())
    except ValueError:
        return default
    if not FIRST_DAY <= day <= LAST_DAY:
        raise BadRequest(_("Tanggal harus antara %(first)s dan %(last)s.") % {
            "first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()})
    return day


def can_see_dashboard(user) -> bool:
    """City administrator and executive: the city; an agency head: their agency (whose
    reports: sigap.reports.visibility, the office's sight)."""
    if visibility.sees_every_agency(user):
        return True
    return visibility.office_agency_id(user) is not None and user.role == AccountRole.HEAD


def from_request(request, city, *, today: date) -> Scope:
    """Return the scope the query string asks for, narrowed to what the user may see."""
    user = request.user
    if not can_see_dashboard(user):
        raise PermissionDenied
    g = request.GET
    start = _date(g.get("dari"), date(today.year, 1, 1))
    end = _date(g.get("sampai"), today)
    if end < start:
        start, end = end, start
    agency_id = _int(g.get("dinas"))
    locked = False
    if not visibility.sees_every_agency(user):
        agency_id, locked = visibility.office_agency_id(user), True
    return Scope(city_id=city.pk, tz=city.tz, start=start, end=end,
                 kecamatan_id=_int(g.get("kecamatan")), kelurahan_id=_int(g.get("kelurahan")),
                 agency_id=agency_id, category_id=_int(g.get("kategori")),
                 agency_locked=locked)


def _where(scope: Scope, qs):
    qs = qs.filter(city_id=scope.city_id)
    if scope.kelurahan_id:
        qs = qs.filter(kelurahan_id=scope.kelurahan_id)
    elif scope.kecamatan_id:
        qs = qs.filter(kecamatan_id=scope.kecamatan_id)
    if scope.agency_id:
        qs = qs.filter(agency_id=scope.agency_id)
    if scope.category_id:
        qs = qs.filter(category_id=scope.category_id)
    return qs


def received(scope: Scope, qs=None):
    """Return the reports received in the scope's period and place (not yet annotated)."""
    qs = Report.objects.all() if qs is None else qs
    return _where(scope, qs).filter(created_at__gte=scope.start_at, created_at__lt=scope.end_at)


def open_now(scope: Scope, qs=None):
    """Return the reports of the scope's place that are open now, whenever received."""
    qs = Report.objects.all() if qs is None else qs
    return _where(scope, qs).open()


ROW_FIELDS = ("id", "ticket", "created_at", "category_id", "agency_id", "team_id",
              "kecamatan_id", "kelurahan_id", "source", "status", "first_response_at",
              "response_due_at", "resolved_at", "due_at", "sla_paused_at", "rating", "h3_cell",
              "closed_by", "reopened", "reassigned")


def annotate(qs):
    """Add what the history says and the report row does not: who closed it (the last
    close event's role), whether it was ever reopened, whether it was handed over."""
    events = ReportEvent.objects.filter(report=OuterRef("pk"))
    return qs.annotate(
        closed_by=Subquery(events.filter(action="close").order_by("-at", "-pk")
                           .values("actor_role")[:1]),
        reopened=Exists(events.filter(action="reopen")),
        reassigned=Exists(events.filter(action="reassign")),
    )


def rows(qs):
    """Return the plain rows (dicts of ROW_FIELDS) the figures are computed from."""
    return annotate(qs).order_by().values(*ROW_FIELDS)

