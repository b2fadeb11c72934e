"""Capacity simulation benchmark: a Kupang year, a Jakarta-sized year, the officer search.

Run: .venv/bin/python bench/simulate.py [--skip-search] [--skip-jakarta]
(a fresh SQLite file in a temp directory holds the Kupang city pack; the simulation reads
the database once and then runs in memory).

Targets (issue 19): one Kupang year (30,000 reports, 200 officers) in under 60 s on one
core; a Jakarta-sized year (200,000 reports, 1,500 officers: Kupang's map and rules, its
scenario's officers scaled by 7.5) in under 10 minutes; the officer-count search for all
seven agencies in under 15 minutes (two processes). The baseline measured in the same run
is the same arrivals through a bare M/M/c-style run of the same engine (no travel, one
round-the-clock shift, no desk delay, no handbacks or reopenings): the ratio says what the
full rules cost on top of the event loop. Also timed: an office-hours calendar on four
agencies (the costly case for the SLA maths), and the demand model's arrivals.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["SIGAP_VAR_DIR"] = tempfile.mkdtemp(prefix="sigap-bench-simulate-")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from sigap.capacity import demand, engine, results, rules, scenario, services  # noqa: E402
from sigap.capacity.scenario import Rates, Shift  # noqa: E402
from sigap.cities.citypack import load_pack  # noqa: E402
from sigap.cities.models import City  # noqa: E402


CPU: dict[str, float] = {}


def timed(fn, label=None):
    """Return (value, wall seconds); the process's CPU seconds go to CPU[label]."""
    started, cpu = time.perf_counter(), time.process_time()
    value = fn()
    if label:
        CPU[label] = time.process_time() - cpu
    return value, time.perf_counter() - started


def bare(scen):
    """The same agencies and officers on one round-the-clock shift, no desk delay, no
    travel, no handbacks, reassignments or reopenings."""
    always = Shift(scenario.ALWAYS.start, scenario.ALWAYS.end)
    agencies = {code: replace(plan, shifts=((always, 1.0),), desk=())
                for code, plan in scen.agencies.items()}
    return replace(scen, agencies=agencies, travel_kmh=0.0,
                   desk=(scenario.DeskShift(always.start, always.end, 0.0),),
                   rates=Rates(reject=0, reassign=0, handback=0, reopen=0))


def scaled(scen, factor):
    out = scen
    for code, plan in scen.agencies.items():
        out = out.with_officers(code, round(plan.officers * factor))
    return out


def one_year(city, scen, label, rows, *, office=False):
    arrivals, t_arrivals = timed(lambda: demand.from_model(city, scen, seed=1))
    if office:
        agencies = {code: replace(plan, working_hours_only=True) if code in
                    ("PUPR", "SATPOLPP", "DINSOS", "DINKES") else plan
                    for code, plan in scen.agencies.items()}
        scen = replace(scen, agencies=agencies)
    city_rules = rules.load(city, scen)
    run, t_run = timed(lambda: engine.simulate(city_rules, scen, arrivals, seed=1), label)
    summary, t_sum = timed(lambda: results.summarise(run))
    rows.append((label, len(run.reports), scen.officers, t_arrivals, t_run, t_sum,
                 summary["overall"]["resolve_compliance"]))
    print(f"{label}: {t_run:.1f} s wall, {CPU[label]:.1f} s CPU", flush=True)
    return arrivals


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-jakarta", action="store_true")
    parser.add_argument("--replications", type=int, default=3)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    load_pack("kupang")
    city = City.objects.get(code="kupang")
    kupang = scenario.load(ROOT / "data/kupang/capacity.toml")
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"python {platform.python_version()} on {platform.machine()}, "
          f"{os.cpu_count()} cores")
    rows: list = []
    one_year(city, kupang, "Kupang year, full rules", rows)
    one_year(city, bare(kupang), "baseline: Kupang year, bare queue", rows)
    one_year(city, kupang, "Kupang year, office-hours SLA on 4 agencies", rows, office=True)
    if not args.skip_jakarta:
        jakarta = replace(scaled(kupang, 7.5), reports=200_000, name="Jakarta-sized")
        one_year(city, jakarta, "Jakarta-sized year (200,000 / 1,500)", rows)
        one_year(city, bare(jakarta), "baseline: Jakarta-sized, bare queue", rows)
    print()
    print("| run | reports | officers | arrivals s | simulate s (CPU s) | summarise s "
          "| resolve % |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, n, officers, ta, tr, ts, comp in rows:
        print(f"| {label} | {n:,} | {officers:,} | {ta:.1f} | {tr:.1f} ({CPU[label]:.1f}) | "
              f"{ts:.1f} | {100 * comp:.1f} |", flush=True)
    full, base = rows[0][4], rows[1][4]
    print(f"\nfull rules / bare queue (Kupang): {full / base:.2f}")
    if not args.skip_search:
        found, t_search = timed(lambda: services.search(
            city, kupang, replications=args.replications, processes=2))
        children = os.times()
        CPU["search"] = children.children_user + children.children_system
        print(f"\nofficer search, 7 agencies, {args.replications} replications, 2 processes: "
              f"{t_search:.0f} s wall, {CPU['search']:.0f} s CPU in the two processes")
        print("| agency | planned | at plan | 95 % | 99 % | runs |")
        print("|---|---:|---:|---:|---:|---:|")
        for code, row in found.items():
            cells = []
            for target in ("0.95", "0.99"):
                hit = row["targets"][target]
                cells.append(f"{hit['officers']} ({100 * hit['compliance']:.1f} ± "
                             f"{100 * hit['ci']:.1f})" if hit else "not reached")
            at_plan = row["at_plan"]
            print(f"| {code} | {row['planned']} | {100 * at_plan['compliance']:.1f} | "
                  f"{cells[0]} | {cells[1]} | {row['evaluations'] * args.replications} |")
    print(f"\nuptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()
