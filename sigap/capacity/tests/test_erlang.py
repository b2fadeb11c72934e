"""The simulation against queueing theory: one agency, Poisson arrivals, exponential work,
c officers always on duty, the dispatcher giving the next report to whoever is free — an
M/M/c queue, whose mean wait and probability of waiting Erlang C gives exactly."""

import pytest

from sigap.capacity import erlang, results

def test_it_computes_erlang_c_as_the_textbook_does():
    # Two servers, one erlang offered: C = 1/3; mean wait = C / (2 - 1) = 1/3.
    assert erlang.erlang_c(2, 1.0, 1.0) == pytest.approx(1 / 3)
    assert erlang.mean_wait(2, 1.0, 1.0) == pytest.approx(1 / 3)
    assert erlang.erlang_c(1, 0.5, 1.0) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert erlang.erlang_c(3, 3.0, 1.0) == 1.0


def _replications(run_scenario, scenario_text, *, officers, per_hour, reps, days):
    # One agency, its officers always on duty, dispatched when free: no travel, no desk time.
    text = scenario_text(name="M/M/c", dlhk=officers, auto_assign=False, travel_kmh=0,
                         drain_days=2, desk_minutes=0)
    waits, p_waits = [], []
    for seed in range(1, reps + 1):
        _run, row = run_scenario(text, days=days, per_hour=per_hour, seed=seed,
                                 places=[("53.71.04", -10.17, 123.60)],
                                 warmup_hours=240)  # the empty start left out
        waits.append(row["agencies"]["DLHK"]["mean_wait"])
        p_waits.append(row["agencies"]["DLHK"]["p_wait"])
    return results.mean_ci(waits), results.mean_ci(p_waits)


@pytest.mark.slow
def test_it_matches_erlang_c_within_five_percent(run_scenario, scenario_text):
    c, lam, mu = 5, 3.5, 1.0  # utilisation 0.7; sixteen replications of 300 days (~25,000 each)
    (wait, wait_ci), (p_wait, p_ci) = _replications(run_scenario, scenario_text, officers=c,
                                                    per_hour=lam, reps=16, days=300)
    theory_wait, theory_p = erlang.mean_wait(c, lam, mu), erlang.erlang_c(c, lam, mu)
    print(f"Wq sim {wait:.4f} ± {wait_ci:.4f} h, theory {theory_wait:.4f}; "
          f"P(wait) sim {p_wait:.4f} ± {p_ci:.4f}, theory {theory_p:.4f}")
    assert wait == pytest.approx(theory_wait, rel=0.05)
    assert p_wait == pytest.approx(theory_p, rel=0.05)
    # enough replications to say so: the 95 % intervals are narrower than the tolerance
    assert wait_ci < 0.05 * theory_wait
    assert p_ci < 0.05 * theory_p
