"""The dashboard's figures per scope, kept current by the worker.

Computing a scope's figures reads every report it covers (the medians and percentiles
need each duration), which takes seconds for a big city. So the figures of the scopes
people open most — the year to date for the whole city, each kecamatan and each agency — are
recomputed by the worker every 15 minutes (tasks.py) and stored (the cache: Redis in production);
the page reads them while they are under SERVE_FOR old and says how old they are ("angka per
10:45"). Any other scope is computed on its first view and kept for the same time. The
lists behind the numbers and the exports always read the reports themselves.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _, pgettext

from sigap.agencies.models import Agency
from sigap.cities.models import Area
from sigap.dashboard import figures, page, stats
from sigap.dashboard.models import CityTarget
from sigap.dashboard.scope import Scope

# Stored figures are served up to this age (the page says how old): the worker's refresh of a
# million reports takes minutes, and a page opened meanwhile must not compute them itself.
SERVE_FOR = timedelta(hours=1)
KEEP_SECONDS = 2 * 3600
LANGUAGES = ("id", "en")


def key(scope: Scope, lang: str) -> str:
    return ("sigap:dash:v3:" + ":".join(str(x) for x in (
        lang, scope.city_id, scope.start, scope.end, scope.kecamatan_id, scope.kelurahan_id,
        scope.agency_id, scope.category_id, int(scope.agency_locked))))


LEAGUES = ("agency", "team", "kelurahan")


def numbers(facts) -> dict:
    """Return the figures that do not depend on the language (the costly part: medians and
    percentiles of every league row, the hotspots), computed once for every language."""
    return {"summary": figures.summarise(facts),
            "leagues": {dim: figures.league(facts, dim) for dim in LEAGUES},
            "hotspots": figures.hotspots(facts)}


def assemble(city, scope: Scope, facts, backlog, targets, *, now: datetime,
             computed: dict | None = None) -> dict:
    """Return the page's figures in the active language (plain, picklable data)."""
    labels = page.labels_for(city.pk)
    computed = computed or numbers(facts)
    summary = computed["summary"]
    leagues = computed["leagues"]
    outcome_labels = page.outcome_labels()

    def d(*pairs):
        return page.drill_url(scope, *pairs)

    return {
        "summary": summary,
        "links": {
            "all": d(("all", "")), "valid": d(("valid", "")), "fixed": d(("fixed", "")),
            "responded": d(("responded", "")), "resolved": d(("resolved", "")),
            "response_met": d(("sla_response", "met")),
            "response_breached": d(("sla_response", "breached")),
            "resolution_met": d(("sla_resolution", "met")),
            "resolution_decided": d(("sla_resolution", "decided")),
            "resolution_breached": d(("sla_resolution", "breached")),
            "resolution_pending": d(("sla_resolution", "pending")),
            "reopened": d(("reopened", "")), "ever_resolved": d(("ever_resolved", "")),
            "rated": d(("rated", "")), "satisfied": d(("satisfied", "")),
        },
        "outcomes": [{"key": o, "label": outcome_labels[o], "count": summary.outcomes[o],
                      "url": d(("outcome", o))} for o in stats.OUTCOMES],
        "by": {dim: page.breakdown(scope, facts, labels, dim)
               for dim in ("category", "agency", "kecamatan", "kelurahan", "source")},
        "leagues": [
            (dim, title, page.league_rows(scope, facts, labels, dim, league=leagues[dim]))
            for dim, title in (("agency", _("Dinas")), ("team", _("Tim reaksi cepat")),
                               ("kelurahan", _("Kelurahan")))
        ],
        "backlog": page.backlog_view(scope, backlog, now),
        "hotspots": page.hotspot_rows(scope, facts, labels, spots=computed["hotspots"]),
        "chart": {
            "weeks": page.weekly_series(scope, facts),
            "text": {"received": _("Laporan masuk"), "fixed": _("Di antaranya beres"),
                     "partial": pgettext("minggu", "belum penuh")},
        },
        "map": {
            "choropleth": page.choropleth(scope, facts),
            "hexes": page.hexes(scope, facts),
            "center": [city.center_lat, city.center_lng], "bounds": city.bounds,
            "zoom": city.zoom,
            "text": {"per_1000": _("laporan per 1.000 penduduk"),
                     "per_km2": _("laporan per km²"),
                     "reports": pgettext("jumlah", "laporan"),
                     "kelurahan": _("Kelurahan"), "hex": _("Heksagon H3")},
        },
        "targets": targets,
    }


def compute(city, scope: Scope, *, now: datetime, languages=LANGUAGES, facts=None) -> dict:
    """Compute a scope's figures once and assemble them in each language; store them.

    `facts`: the scope's facts when the caller has them already (refresh reads the city's
    once and hands each narrower scope its part)."""
    if facts is None:
        facts = figures.load(scope, now=now)
    backlog = figures.backlog(scope, now=now)
    targets = None
    if not scope.agency_locked:  # the city's targets: for those who see the city
        target = CityTarget.for_city(city)
        reports, users = figures.targets(
            city, today=now.astimezone(city.tz).date(),
            reports_target=target.reports_per_year, users_target=target.citizen_users)
        targets = {"reports": reports, "users": users}
    agencies = list(Agency.objects.filter(city=city))
    if scope.agency_locked:
        agencies = [a for a in agencies if a.pk == scope.agency_id]
    out = {}
    computed = numbers(facts)
    for lang in languages:
        with translation.override(lang):
            data = assemble(city, scope, facts, backlog, targets, now=now, computed=computed)
            data["map"].update(areas_url=reverse("dashboard:areas"),
                               tiles=settings.SIGAP_TILE_URL,
                               attribution=settings.SIGAP_TILE_ATTRIBUTION)
            # The figures as HTML, rendered once here rather than on every view: the page's
            # tables and links are most of its cost.
            html = render_to_string("dashboard/_figures.html", {
                **data, "scope": scope, "now": now, "min_sample": stats.MIN_SAMPLE,
                "monthly_agencies": agencies,
                "exports": {fmt: reverse(f"dashboard:export_{fmt}") + "?" + scope.query()
                            for fmt in ("csv", "xlsx", "geojson")},
            })
            out[lang] = {"at": now, "html": html, "summary": data["summary"],
                         "title": page.scope_title(scope, page.labels_for(city.pk))}
        cache.set(key(scope, lang), out[lang], KEEP_SECONDS)
    return out


def figures_for(city, scope: Scope, *, now: datetime, lang: str) -> dict:
    """Return {"at", "html", "summary"}: the stored figures if at most SERVE_FOR old, else
    computed now."""
    lang = "en" if lang.startswith("en") else "id"
    snap = cache.get(key(scope, lang))
    if snap is not None and timedelta(0) <= now - snap["at"] < SERVE_FOR:
        return snap
    return compute(city, scope, now=now, languages=(lang,))[lang]


def standard_scopes(city, *, today: date) -> list[Scope]:
    """The scopes the worker keeps current: the year to date for the whole city, for each
    kecamatan, and for each agency as its head sees it."""
    base = Scope(city_id=city.pk, tz=city.tz, start=date(today.year, 1, 1), end=today)
    scopes = [base]
    scopes += [base.with_(kecamatan_id=pk) for pk in Area.objects.filter(
        city=city, level=Area.Level.KECAMATAN).values_list("pk", flat=True)]
    scopes += [base.with_(agency_id=pk, agency_locked=True)
               for pk in Agency.objects.filter(city=city).values_list("pk", flat=True)]
    return scopes


def refresh(city, *, now: datetime) -> int:
    """Recompute the standard scopes of a city (safe to run twice); return how many."""
    scopes = standard_scopes(city, today=now.astimezone(city.tz).date())
    # Every standard scope is the city's year narrowed by one column: read the city's facts
    # once (the slow part at a million reports) and give each scope its own part of them.
    city_facts = figures.load(scopes[0], now=now)
    for scope in scopes:
        compute(city, scope, now=now, facts=part_of(city_facts, scope))
    return len(scopes)


def part_of(city_facts: list, scope: Scope) -> list:
    """Return the facts of `scope` among the facts of the city's scope of the same period:
    the same narrowing as scope._where (kelurahan before kecamatan, agency, category)."""
    out = city_facts
    if scope.kelurahan_id:
        out = [f for f in out if f.kelurahan_id == scope.kelurahan_id]
    elif scope.kecamatan_id:
        out = [f for f in out if f.kecamatan_id == scope.kecamatan_id]
    if scope.agency_id:
        out = [f for f in out if f.agency_id == scope.agency_id]
    if scope.category_id:
        out = [f for f in out if f.category_id == scope.category_id]
    return out
