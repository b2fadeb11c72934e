"""Running scenarios: replications, the officer-count search, CSV output.

The database is read once per process (the city's rules, and its reports for a replay);
the simulation itself is pure Python on those rows (see engine.py).
"""

from __future__ import annotations

import math
import multiprocessing
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from sigap.capacity import demand, engine, results, rules
from sigap.capacity.scenario import Scenario
from sigap.lib import spreadsheet

TARGETS = (0.95, 0.99)
# The search gives up on a target when doubling the officers gains less than this: the late
# reports wait for something officers do not change (lead times, the desk's hours).
PLATEAU = 0.002


@dataclass(frozen=True)
class Source:
    """Where the reports come from: the demand model (default) or a replay of
    [since, until) of the city's own reports."""

    since: datetime | None = None
    until: datetime | None = None

    @property
    def is_replay(self) -> bool:
        return self.since is not None


def arrivals(city, scenario: Scenario, source: Source, seed: int) -> list:
    if source.is_replay:
        return demand.replay(city, scenario, since=source.since, until=source.until, seed=seed)
    return demand.from_model(city, scenario, seed=seed)


def with_fitted_rates(city, scenario: Scenario, source: Source) -> Scenario:
    """Return the scenario with the rates the replayed reports show."""
    from dataclasses import replace

    if not source.is_replay:
        return scenario
    return replace(scenario, rates=demand.fitted_rates(
        city, since=source.since, until=source.until, default=scenario.rates))


def window(source: Source) -> tuple[datetime, datetime] | None:
    """A replay simulates the recorded period itself and stops where the record stops."""
    return (source.since, source.until) if source.is_replay else None


def run(city, scenario: Scenario, *, replications: int = 3, seed: int = 1,
        source: Source = Source(),
        progress: Callable[[float], None] | None = None) -> dict:
    """Return the scenario's answers averaged over `replications` seeded years; a replay's
    carry the period's recorded figures beside the simulated ones (`calibration`)."""
    scenario = with_fitted_rates(city, scenario, source)
    city_rules = rules.load(city, scenario)
    summaries = []
    for k in range(replications):
        def step(fraction, k=k):
            if progress is not None:
                progress((k + fraction) / replications)

        stream = arrivals(city, scenario, source, seed + k)
        summaries.append(results.summarise(
            engine.simulate(city_rules, scenario, stream, seed=seed + k, progress=step,
                            window=window(source))))
    out = results.combine(summaries)
    out["officers_plan"] = {code: plan.officers for code, plan in scenario.agencies.items()}
    out["yearly_total"] = scenario.yearly_total
    if source.is_replay:
        out["replay"] = {"since": source.since.isoformat(), "until": source.until.isoformat()}
        results.attach_recorded(out, demand.recorded(city, since=source.since,
                                                     until=source.until))
    return out


# --- how many officers: a search over runs, one agency at a time -----------------------------

class _Searcher:
    """Evaluates one agency's resolution compliance for an officer count over seeded
    replications (the same citizens and jobs for every count: common random numbers)."""

    def __init__(self, city, scenario: Scenario, agency: str, replications: int, seed: int,
                 source: Source):
        self.scenario, self.agency = scenario, agency
        self.city_rules = rules.load(city, scenario)
        self.streams = [arrivals(city, scenario, source, seed + k) for k in range(replications)]
        self.seed = seed
        self.cache: dict[int, dict] = {}

    def evaluate(self, n: int) -> dict:
        if n not in self.cache:
            scen = self.scenario.with_officers(self.agency, n)
            rows = [results.summarise(engine.simulate(
                self.city_rules, scen, stream, seed=self.seed + k,
                only_agency=self.agency))["agencies"].get(self.agency, {})
                for k, stream in enumerate(self.streams)]
            comp, ci = results.mean_ci([r.get("resolve_compliance") or 0.0 for r in rows])
            resp, resp_ci = results.mean_ci([r.get("response_compliance") or 0.0 for r in rows])
            util, _ = results.mean_ci([r.get("utilisation") or 0.0 for r in rows])
            self.cache[n] = json_safe({"officers": n, "compliance": comp, "ci": ci,
                                       "response": resp, "response_ci": resp_ci,
                                       "utilisation": util})
        return self.cache[n]

    def smallest(self, target: float, lo: int, hi_cap: int) -> dict | None:
        """Return the smallest officer count whose mean compliance reaches `target`
        (bisection; compliance grows with officers), or None below `hi_cap`."""
        hi = max(lo + 1, self.scenario.agencies[self.agency].officers)
        reached = self.evaluate(hi)["compliance"]
        while reached < target:
            lo, hi = hi, hi * 2
            if hi > hi_cap:
                return None
            more = self.evaluate(hi)["compliance"]
            if more - reached < PLATEAU:
                return None  # twice the officers, no better: what is late waits for no one
            reached = more
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.evaluate(mid)["compliance"] >= target:
                hi = mid
            else:
                lo = mid
        return self.evaluate(hi)


def search_agency(city, scenario: Scenario, agency: str, *, replications: int = 3,
                  seed: int = 1, source: Source = Source(), targets=TARGETS,
                  hi_cap: int = 4000) -> dict:
    """Return, for one agency, the smallest officer count meeting each target, with the
    compliance (and its 95 % interval over replications) there and one officer below."""
    scenario = with_fitted_rates(city, scenario, source)
    searcher = _Searcher(city, scenario, agency, replications, seed, source)
    out = {"agency": agency, "planned": scenario.agencies[agency].officers,
           "at_plan": searcher.evaluate(max(scenario.agencies[agency].officers, 1)),
           "targets": {}}
    lo = 0
    for target in sorted(targets):
        found = searcher.smallest(target, lo, hi_cap)
        if found is None:
            out["targets"][str(target)] = None
            continue
        n = found["officers"]
        out["targets"][str(target)] = {**found, "below": searcher.evaluate(n - 1) if n > 1
                                       else None}
        lo = max(n - 1, 0)
    out["evaluations"] = len(searcher.cache)
    return out


_JOB: dict = {}


def _search_one(agency: str) -> dict:
    job = _JOB
    return search_agency(job["city"], job["scenario"], agency, replications=job["reps"],
                         seed=job["seed"], source=job["source"])


def search(city, scenario: Scenario, *, replications: int = 3, seed: int = 1,
           source: Source = Source(), processes: int | None = None,
           agencies: list[str] | None = None,
           progress: Callable[[float], None] | None = None) -> dict[str, dict]:
    """Return search_agency for every agency of the scenario (agencies share no officers,
    so each is searched on its own, in parallel over `processes` (default: 2 cores))."""
    codes = agencies or [c for c in scenario.agencies if c in
                         {a.code for a in rules.load(city, scenario).agencies.values()}]
    processes = processes or min(2, os.cpu_count() or 1)
    if processes <= 1 or len(codes) == 1:
        found = {}
        for i, code in enumerate(codes):
            found[code] = search_agency(city, scenario, code, replications=replications,
                                        seed=seed, source=source)
            if progress is not None:
                progress((i + 1) / len(codes))
        return found
    from django import db

    _JOB.update(city=city, scenario=scenario, reps=replications, seed=seed, source=source)
    db.connections.close_all()  # each forked process opens its own connection
    ctx = multiprocessing.get_context("fork")
    # the longest searches first, so the two processes finish together
    order = sorted(codes, key=lambda c: -scenario.agencies[c].officers)
    with ctx.Pool(processes) as pool:
        found = dict(zip(order, pool.map(_search_one, order, chunksize=1), strict=True))
    return {c: found[c] for c in codes}


def json_safe(value):
    """Return `value` with NaN (no interval from one replication) as None, for JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


# --- output ------------------------------------------------------------------------------------

def write_csv(summary: dict, directory: Path) -> list[Path]:
    """Write agencies.csv, categories.csv and backlog.csv; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    fields = ["reports", "rejected", "resolved", "unresolved", "response_compliance",
              "response_compliance_ci", "resolve_compliance", "resolve_compliance_ci",
              "ttf_p50", "ttf_p90", "utilisation", "utilisation_ci", "officers",
              "handbacks", "reopens", "reassigned", "reminders", "to_head", "to_admin"]
    for name, rows, key in (("agencies.csv", summary["agencies"], "agency"),
                            ("categories.csv", summary["categories"], "agency/category")):
        path = directory / name
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = spreadsheet.writer(fh)
            writer.writerow([key] + fields)
            for code, row in rows.items():
                writer.writerow([code] + [_cell(row.get(f)) for f in fields])
        paths.append(path)
    path = directory / "backlog.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        backlog = summary["backlog"]
        writer = spreadsheet.writer(fh)
        keys = list(backlog[0]) if backlog else ["day", "total"]
        writer.writerow(keys)
        for row in backlog:
            writer.writerow([_cell(row[k]) for k in keys])
    paths.append(path)
    return paths


def write_search_csv(found: dict[str, dict], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = spreadsheet.writer(fh)
        writer.writerow(["agency", "planned", "compliance_at_plan", "ci_at_plan", "target",
                         "officers_needed", "compliance", "ci", "compliance_one_below"])
        for code, row in found.items():
            for target, hit in row["targets"].items():
                writer.writerow([
                    code, row["planned"], _cell(row["at_plan"]["compliance"]),
                    _cell(row["at_plan"]["ci"]), target,
                    hit["officers"] if hit else "", _cell(hit["compliance"]) if hit else "",
                    _cell(hit["ci"]) if hit else "",
                    _cell(hit["below"]["compliance"]) if hit and hit["below"] else ""])
    return path


def _cell(value):
    if isinstance(value, float):
        return f"{value:.4f}"
    return "" if value is None else value
