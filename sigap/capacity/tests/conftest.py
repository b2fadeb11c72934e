"""Shared fixtures of the capacity tests: a small scenario written as its TOML, and a run of
a scenario over Poisson arrivals in Kupang."""

import random
from datetime import timedelta

import pytest

from sigap.capacity import demand, engine, results, rules, scenario

# Two kelurahan of Kupang: Oebobo's (kecamatan 53.71.04) and Maulafa's (53.71.02).
PLACES = [("53.71.04", -10.17, 123.60), ("53.71.02", -10.1716, 123.6711)]


@pytest.fixture
def scenario_text():
    """Return make(...): the TOML of a scenario with DLHK on duty round the clock, nothing
    rejected, reassigned, handed back or reopened, and work of one hour on average
    (exponential); DINSOS too when given its officers. `extra` is appended as it is."""

    def make(*, dlhk=3, auto_assign=True, dinsos=None, name="test", travel_kmh=20,
             drain_days=5, desk_minutes=10, extra=""):
        text = f"""
[scenario]
name = "{name}"
year = 2026
travel_kmh = {travel_kmh}
drain_days = {drain_days}
[desk]
shifts = [{{ start = "00:00", end = "00:00", mean_minutes = {desk_minutes} }}]
[rates]
reject = 0
reassign = 0
handback = 0
reopen = 0
duplicate = 0
[work.default]
dist = "exponential"
mean_hours = 1.0
[agencies.DLHK]
auto_assign = {"true" if auto_assign else "false"}
shifts = {{ always = 1.0 }}
officers = {dlhk}
"""
        if dinsos is not None:
            text += f"""[agencies.DINSOS]
shifts = {{ always = 1.0 }}
officers = {dinsos}
"""
        return text + extra

    return make


@pytest.fixture
def run_scenario(kupang):
    """Return run(text, ...): the scenario simulated over `days` of Poisson arrivals of one
    category from the start of its year, as (the run, its summary)."""

    def run(text, *, days, per_hour, seed=1, code="SAMPAH", places=PLACES, warmup_hours=0.0):
        scen = scenario.parse(text)
        start, _end = demand.year_bounds(kupang, scen.year)
        arrivals = demand.poisson(start=start, end=start + timedelta(days=days),
                                  per_hour=per_hour, categories=[code], places=places,
                                  rng=random.Random(seed))
        simulated = engine.simulate(rules.load(kupang, scen), scen, arrivals, seed=seed)
        return simulated, results.summarise(simulated, warmup_hours=warmup_hours)

    return run
