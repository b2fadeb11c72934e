"""The executive dashboard (/dasbor/): figures, drill-down lists, exports, monthly report.

Views are thin: they read the clock once, build the scope (which enforces who sees what),
and hand plain data to templates. The same scope and the same named subsets select the
numbers, the lists behind them and the exports, so they always agree.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery, Sum
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext as _
from django.views.decorators.http import require_GET

from sigap.accounts import audit
from sigap.accounts.models import Role as AccountRole
from sigap.capacity.models import CapacityRun
from sigap.agencies.models import Agency, Category
from sigap.cities import tenancy
from sigap.cities.middleware import office_city
from sigap.cities.models import Area, City
from sigap.dashboard import exports, figures, page, rollup, stats
from sigap.dashboard.scope import Scope, can_see_dashboard, from_request, open_now, received
from sigap.reports.models import Report

PAGE_SIZE = 50


def _city(request):
    """The city this dashboard shows (its user's, or `?kota=` for one who oversees several)."""
    return office_city(request)


def _scope(request, city, now) -> Scope:
    return from_request(request, city, today=now.astimezone(city.tz).date())


def dashboard_view(view):
    """Send visitors to sign in; refuse (403) signed-in users who may not see the dashboard."""

    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_see_dashboard(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return require_GET(wrapper)


def _filters(city, scope: Scope):
    kecamatan = list(Area.objects.filter(city=city, level=Area.Level.KECAMATAN)
                     .only("pk", "name").order_by("name"))
    kelurahan = Area.objects.filter(city=city, level=Area.Level.KELURAHAN).only(
        "pk", "name", "parent_id").order_by("name")
    if scope.kecamatan_id:
        kelurahan = kelurahan.filter(parent_id=scope.kecamatan_id)
    categories = Category.objects.filter(city=city).order_by("order", "code")
    if scope.agency_id:
        categories = categories.filter(agency_id=scope.agency_id)
    return {"kecamatan": kecamatan, "kelurahan": list(kelurahan),
            "agencies": list(Agency.objects.filter(city=city)),
            "categories": list(categories)}


@dashboard_view
def dashboard(request):
    """The executive dashboard for the scope the query string asks for."""
    now = timezone.now()
    city = _city(request)
    scope = _scope(request, city, now)
    snap = rollup.figures_for(city, scope, now=now, lang=get_language() or "id")
    context = {
        "city": city, "scope": scope, "title": snap["title"],
        "filters": _filters(city, scope), "as_of": snap["at"], "figures_html": snap["html"],
    }
    return render(request, "dashboard/dashboard.html", context)


@dashboard_view
def reports(request):
    """The reports behind one number: the scope narrowed by the subsets in `f`."""
    now = timezone.now()
    city = _city(request)
    scope = _scope(request, city, now)
    pairs = page.parse_pairs(request.GET.getlist("f"))
    open_only = request.GET.get("open") == "1"
    qs = open_now(scope) if open_only else received(scope)
    facts = figures.load_from(figures.narrow(qs, pairs, scope.tz), scope, now=now)
    chosen = figures.select(facts, pairs)
    chosen.sort(key=lambda f: f.created_at, reverse=True)
    paginator = Paginator(chosen, PAGE_SIZE)
    current = paginator.get_page(request.GET.get("page"))
    by_id = Report.objects.for_list().in_bulk([f.id for f in current.object_list])
    outcome_labels = page.outcome_labels()
    labels = page.labels_for(city.pk)
    rows = [{"facts": f, "report": by_id[f.id], "outcome": outcome_labels[f.outcome]}
            for f in current.object_list if f.id in by_id]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "dashboard/reports.html", {
        "city": city, "scope": scope, "rows": rows, "page": current, "total": len(chosen),
        "pairs": pairs, "open_only": open_only,
        "title": page.scope_title(scope, labels),
        "filter_words": page.describe(pairs, labels) or (
            [_("Semua laporan terbuka")] if open_only else [_("Semua laporan masuk")]),
        "back": reverse("dashboard:home") + "?" + scope.query(),
        "query": query.urlencode(),
        "exports": {fmt: reverse(f"dashboard:export_{fmt}") + "?" + request.GET.urlencode()
                    for fmt in ("csv", "xlsx", "geojson")},
    })


@dashboard_view
def areas(request):
    """The kelurahan outlines for the map (the counts come with the page)."""
    city = _city(request)
    features = [
        {"type": "Feature", "id": a.pk, "properties": {"id": a.pk, "name": a.name},
         "geometry": a.boundary}
        for a in Area.objects.filter(city=city, level=Area.Level.KELURAHAN) if a.boundary]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _export(fmt):
    @dashboard_view
    def view(request):
        now = timezone.now()
        city = _city(request)
        scope = _scope(request, city, now)
        pairs = page.parse_pairs(request.GET.getlist("f"))
        audit.record(request.user, audit.EXPORT, f"dasbor/ekspor.{fmt}", now,
                     detail={"query": request.GET.urlencode()[:500]})
        return exports.response(fmt, scope, pairs=pairs, now=now,
                                open_only=request.GET.get("open") == "1")

    view.__name__ = f"export_{fmt}"
    return view


export_csv = _export("csv")
export_xlsx = _export("xlsx")
export_geojson = _export("geojson")


def _month(value: str, today: date) -> date:
    try:
        y, m = (int(x) for x in (value or "").split("-"))
        return date(y, m, 1)
    except ValueError:
        first = today.replace(day=1)
        return (first - timedelta(days=1)).replace(day=1)  # last month, complete


def _month_scope(city, first: date, agency_id, locked: bool) -> Scope:
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return Scope(city_id=city.pk, tz=city.tz, start=first, end=last, agency_id=agency_id,
                 agency_locked=locked)


@dashboard_view
def monthly(request, agency_code=None):
    """A monthly report, laid out to print (or save as PDF from the browser): one agency's,
    or the whole city's (`agency_code` None), beside the previous month and the same month a
    year before."""
    now = timezone.now()
    city = _city(request)
    scope = _scope(request, city, now)
    agency = None
    if agency_code is not None:
        agency = Agency.objects.filter(city=city, code=agency_code).first()
        if agency is None:
            raise Http404
    if scope.agency_locked and (agency is None or scope.agency_id != agency.pk):
        raise PermissionDenied  # an agency head reads their own agency's report only
    agency_id = agency.pk if agency else None
    today = now.astimezone(city.tz).date()
    first = _month(request.GET.get("bulan", ""), today)
    month_scope = _month_scope(city, first, agency_id, scope.agency_locked)
    last = month_scope.end
    previous = (first - timedelta(days=1)).replace(day=1)
    year_before = first.replace(year=first.year - 1)
    facts = figures.load(month_scope, now=now)
    labels = page.labels_for(city.pk)
    summary = figures.summarise(facts)
    earlier = {key: figures.summarise(figures.load(
        _month_scope(city, month, agency_id, scope.agency_locked), now=now))
        for key, month in (("previous", previous), ("last_year", year_before))}
    outcome_labels = page.outcome_labels()
    return render(request, "dashboard/monthly.html", {
        "city": city, "agency": agency, "first": first, "last": last, "now": now,
        "partial": last >= today,
        "summary": summary, "min_sample": stats.MIN_SAMPLE,
        "comparison": page.month_comparison(summary, earlier["previous"],
                                            earlier["last_year"]),
        "previous_first": previous, "year_before": year_before,
        "outcomes": [{"label": outcome_labels[o], "count": summary.outcomes[o]}
                     for o in stats.OUTCOMES],
        "agencies": page.league_rows(month_scope, facts, labels, "agency")
        if agency is None else [],
        "categories": page.league_rows(month_scope, facts, labels, "category"),
        "teams": page.league_rows(month_scope, facts, labels, "team"),
        "kecamatan": page.league_rows(month_scope, facts, labels, "kecamatan"),
        "backlog": figures.backlog(month_scope, now=now),
        "hotspots": page.hotspot_rows(month_scope, facts, labels),
        "previous": previous.strftime("%Y-%m"),
        "next": (last + timedelta(days=1)).strftime("%Y-%m") if last < today else None,
        "back": reverse("dashboard:home") + "?" + month_scope.query(),
    })


def _province_rows(request, now):
    """The roll-up's rows (one per overseen city) and its total; 403 for anyone else."""
    user = request.user
    if not (user.is_superuser or user.role == AccountRole.PROVINCE):
        raise PermissionDenied
    cities = City.objects.filter(is_active=True).defer("boundary").order_by("name")
    allowed = tenancy.cities_of(user)
    if allowed is not tenancy.ALL:
        cities = cities.filter(pk__in=allowed)
    population = dict(Area.objects.filter(level=Area.Level.KECAMATAN)
                      .values("city_id").annotate(n=Sum("population"))
                      .values_list("city_id", "n"))
    lang = get_language() or "id"
    rows = []
    for city in cities:
        today = now.astimezone(city.tz).date()
        scope = Scope(city_id=city.pk, tz=city.tz, start=date(today.year, 1, 1), end=today)
        snap = rollup.figures_for(city, scope, now=now, lang=lang)
        rows.append(figures.province_row(city, snap["summary"], population.get(city.pk),
                                         at=snap["at"]))
    return rows, figures.province_total(rows)


def _province_capacity(cities) -> list[dict]:
    """Each city's latest finished capacity run (the Kapasitas page's answers for its
    scenario): who planned for what, and what the simulation says of its deadlines."""
    latest = (CapacityRun.objects.filter(city=OuterRef("pk"), status=CapacityRun.Status.DONE)
              .order_by("-finished_at").values("pk")[:1])
    run_of = dict(City.objects.filter(pk__in=[c.pk for c in cities])
                  .annotate(run=Subquery(latest)).values_list("pk", "run"))
    runs = {r["pk"]: r for r in CapacityRun.objects.filter(
        pk__in=[pk for pk in run_of.values() if pk]).values(
        "pk", "name", "finished_at", "replay", "result__overall")}
    out = []
    for city in cities:
        run = runs.get(run_of.get(city.pk))
        overall = (run or {}).get("result__overall") or {}
        out.append({"city": city, "run": run, "officers": overall.get("officers"),
                    "response": overall.get("response_compliance"),
                    "resolve": overall.get("resolve_compliance"),
                    "utilisation": overall.get("utilisation")})
    return out


@require_GET
def province(request):
    """The roll-up of the cities a provincial or national role oversees: each city's year to
    date side by side (the same figures as each city's dashboard, read from the worker's
    snapshots), and the province's total."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    now = timezone.now()
    rows, total = _province_rows(request, now)
    return render(request, "dashboard/province.html", {
        "rows": rows, "total": total, "now": now,
        "capacity": _province_capacity([r.city for r in rows]),
        "has_population": any(r.population for r in rows),
        "year": now.astimezone(timezone.get_current_timezone()).year,
        "min_sample": stats.MIN_SAMPLE,
    })


@require_GET
def province_csv(request):
    """The roll-up as CSV: the same rows, shares as part and whole (never a rounded %)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    now = timezone.now()
    rows, total = _province_rows(request, now)
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 with its mark
    writer = csv.writer(out)
    writer.writerow(["city", "population", "received", "per_1000", "valid", "fixed",
                     "sla_response_met", "sla_response_decided", "sla_resolution_met",
                     "sla_resolution_decided", "resolution_median_h", "satisfied", "rated",
                     "open"])
    for row in [*rows, *([total] if total else [])]:
        writer.writerow([
            row.city.code if row.city else "total", row.population or "", row.received,
            "" if row.per_1000 is None else round(row.per_1000, 2), row.valid,
            row.fixed.part, row.sla_response.part, row.sla_response.whole,
            row.sla_resolution.part, row.sla_resolution.whole,
            "" if row.resolution_median_h is None else round(row.resolution_median_h, 1),
            row.satisfaction.part, row.satisfaction.whole, row.open_count])
    audit.record(request.user, audit.EXPORT, "dasbor/provinsi/ekspor.csv", now)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="sigap-provinsi.csv"'
    return response
