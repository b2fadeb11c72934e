"""Where the simulated reports come from: the demo city's model, last year's reports, or a
plain Poisson stream (for checking against theory). Every source returns
`citymodel.Arrival`s, sorted by time."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from django.db.models import Count, Max, OuterRef, Q, Subquery

from sigap.agencies.models import Agency
from sigap.capacity import citymodel
from sigap.capacity.citymodel import Arrival
from sigap.capacity.scenario import Rates, Scenario
from sigap.dashboard import figures
from sigap.dashboard.scope import Scope
from sigap.dashboard.stats import count_sla
from sigap.reports.models import Report, ReportEvent


def year_bounds(city, year: int) -> tuple[datetime, datetime]:
    """Return the city's calendar year as UTC instants."""
    return (datetime(year, 1, 1, tzinfo=city.tz).astimezone(timezone.utc),
            datetime(year + 1, 1, 1, tzinfo=city.tz).astimezone(timezone.utc))


def poisson(*, start: datetime, end: datetime, per_hour: float, categories: list[str],
            places: list[tuple[str, float, float]], rng: random.Random) -> list[Arrival]:
    """Return a homogeneous Poisson stream of reports, categories and places drawn evenly."""
    out, t = [], start
    while True:
        t += timedelta(hours=rng.expovariate(per_hour))
        if t >= end:
            return out
        kec, lat, lng = rng.choice(places)
        out.append(Arrival(t, rng.choice(categories), "", kec, lat, lng))


def from_model(city, scenario: Scenario, *, seed: int) -> list:
    """Return a year of reports from the demo city's demand model, scaled by growth."""
    start, end = year_bounds(city, scenario.year)
    model = citymodel.model_for_city(city)
    return citymodel.arrivals(model, start=start, end=end, total=scenario.yearly_total,
                                rng=random.Random(seed))


def last_year(city, until: datetime) -> tuple[datetime, datetime]:
    return until - timedelta(days=365), until


def replay(city, scenario: Scenario, *, since: datetime, until: datetime,
           seed: int) -> list[Arrival]:
    """Return the city's reports made in [since, until), at the times they were made and in
    the category the citizen chose (before any recategorisation), each kept, dropped or
    repeated so that the volume grows by the scenario's growth factor."""
    rng = random.Random(seed)
    first_category = (ReportEvent.objects.filter(report=OuterRef("pk"), action="recategorise")
                      .order_by("at", "pk").values("data__from")[:1])
    rows = (Report.objects.filter(city=city, created_at__gte=since, created_at__lt=until)
            .annotate(chosen=Subquery(first_category))
            .values_list("created_at", "chosen", "category__code", "kelurahan__code",
                         "kecamatan__code", "lat", "lng")
            .order_by("created_at", "pk"))
    out = []
    for at, chosen, category, kelurahan, kecamatan, lat, lng in rows.iterator(chunk_size=2000):
        copies = int(scenario.growth) + (rng.random() < scenario.growth % 1)
        for k in range(copies):
            jitter = timedelta(minutes=rng.uniform(-30, 30)) if k else timedelta()
            moved = at + jitter
            if since <= moved < until:
                out.append(Arrival(moved, chosen or category, kelurahan or "", kecamatan or "",
                                   lat, lng))
    out.sort(key=lambda a: a.at)
    return out


def recorded(city, *, since: datetime, until: datetime) -> dict[str, dict]:
    """Return, per agency code, the first-response and resolution deadlines the city's
    reports made in [since, until) met and missed, read as the dashboard reads them at
    `until` (dashboard.figures: rejected reports and duplicates left out)."""
    codes = dict(Agency.objects.filter(city=city).values_list("pk", "code"))
    qs = Report.objects.filter(city=city, created_at__gte=since, created_at__lt=until)
    states: dict[str, dict[str, list]] = {}
    for facts in figures.load_from(qs, Scope(city.pk, city.tz, since.date(), until.date()),
                                   now=until):
        row = states.setdefault(codes.get(facts.agency_id, "?"),
                                {"response": [], "resolve": []})
        row["response"].append(facts.response_sla)
        row["resolve"].append(facts.resolution_sla)
    out: dict[str, dict] = {}
    for code, row in states.items():
        counted = {name: count_sla(row[name]) for name in row}
        out[code] = {"reports": len(row["response"]),
                     **{name: [c.met, c.breached] for name, c in counted.items()}}
    return out


def record_end(city, until: datetime) -> datetime:
    """Return when the city's record stops: its last event, if before `until` (a demo year
    written some time ago has had nothing happen since; a live city's last event is now)."""
    last = (ReportEvent.objects.filter(report__city=city, at__lt=until)
            .aggregate(last=Max("at"))["last"])
    return until if last is None else min(until, last + timedelta(minutes=1))


def fitted_rates(city, *, since: datetime, until: datetime, default: Rates) -> Rates:
    """Return the handback, reassignment, reopening and rejection rates the city's own
    reports show over [since, until) (the scenario's rates where there is no data)."""
    reports = Report.objects.filter(city=city, created_at__gte=since, created_at__lt=until)
    n = reports.count()
    if not n:
        return default
    events = (ReportEvent.objects.filter(report__in=reports)
              .aggregate(handback=Count("pk", filter=Q(action="handback")),
                         reassign=Count("pk", filter=Q(action="reassign")),
                         reopen=Count("pk", filter=Q(action="reopen")),
                         reject=Count("pk", filter=Q(action="reject")),
                         duplicate=Count("pk", filter=Q(action="mark-duplicate")),
                         resolve=Count("pk", filter=Q(action="resolve"))))
    return replace(
        default, reject=events["reject"] / n, reassign=events["reassign"] / n,
        duplicate=events["duplicate"] / n,
        handback=events["handback"] / max(events["handback"] + events["resolve"], 1),
        reopen=events["reopen"] / max(events["resolve"], 1))


def mix(arrivals: list) -> Counter:
    return Counter(a.category for a in arrivals)
