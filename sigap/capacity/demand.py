"""Where the simulated reports come from: the demo city's model, last year's reports, or a
plain Poisson stream (for checking against theory). Every source returns arrivals with
`at` (aware, UTC), `category`, `kecamatan` (Area code), `lat`, `lng`, sorted by time."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from django.db.models import Count, Q

from sigap.capacity.scenario import Rates, Scenario
from sigap.demo import demand as demo_demand
from sigap.reports.models import Report, ReportEvent


@dataclass(frozen=True)
class Arrival:
    at: datetime
    category: str
    kecamatan: str
    lat: float
    lng: float


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
        out.append(Arrival(t, rng.choice(categories), kec, lat, lng))


def from_model(city, scenario: Scenario, *, seed: int) -> list:
    """Return a year of reports from the demo city's demand model, scaled by growth."""
    start, end = year_bounds(city, scenario.year)
    model = demo_demand.model_for_city(city)
    return demo_demand.arrivals(model, start=start, end=end, total=scenario.yearly_total,
                                rng=random.Random(seed))


def last_year(city, until: datetime) -> tuple[datetime, datetime]:
    return until - timedelta(days=365), until


def replay(city, scenario: Scenario, *, since: datetime, until: datetime,
           seed: int) -> list[Arrival]:
    """Return the city's reports from [since, until) moved into the scenario's year, each
    kept, dropped or repeated so the volume grows by the scenario's growth factor."""
    rng = random.Random(seed)
    start, end = year_bounds(city, scenario.year)
    span = (until - since) or timedelta(days=365)
    rows = (Report.objects.filter(city=city, created_at__gte=since, created_at__lt=until)
            .values_list("created_at", "category__code", "kecamatan__code", "lat", "lng")
            .order_by("created_at"))
    year = end - start
    out = []
    for at, category, kecamatan, lat, lng in rows.iterator(chunk_size=2000):
        copies = int(scenario.growth) + (rng.random() < scenario.growth % 1)
        offset = (at - since) / span * year
        for k in range(copies):
            jitter = timedelta(minutes=rng.uniform(-30, 30)) if k else timedelta()
            moved = start + offset + jitter
            if start <= moved < end:
                out.append(Arrival(moved, category, kecamatan or "", lat, lng))
    out.sort(key=lambda a: a.at)
    return out


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
                         resolve=Count("pk", filter=Q(action="resolve"))))
    return Rates(
        reject=events["reject"] / n, reassign=events["reassign"] / n,
        handback=events["handback"] / max(events["handback"] + events["resolve"], 1),
        reopen=events["reopen"] / max(events["resolve"], 1),
        reopen_after_hours=default.reopen_after_hours)


def mix(arrivals: list) -> Counter:
    return Counter(a.category for a in arrivals)
