"""`sigap simulate`, the scenario file, the officer-count search and the replay."""

import csv
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sigap.capacity import demand, scenario, services
from sigap.reports import services as report_services

SMALL = """
[scenario]
name = "Kecil"
year = 2026
reports = 600
drain_days = 5
[rates]
reject = 0
[agencies.DLHK]
shifts = { always = 1.0 }
officers = 4
[agencies.DAMKAR]
shifts = { always = 1.0 }
officers = 2
"""


def test_it_reads_the_kupang_scenario_with_its_200_officers():
    scen = scenario.load("data/kupang/capacity.toml")
    assert scen.officers == 200
    assert set(scen.agencies) == {"DLHK", "PUPR", "DISHUB", "DINSOS", "SATPOLPP", "DINKES",
                                  "DAMKAR"}
    assert len(scen.agencies["DLHK"].teams) == 6
    assert scen.work_for("JALAN_RUSAK").mean_hours == 4.0


@pytest.mark.parametrize("text, words", [
    ("[scenario]\nyear = 'x'", "scenario.year"),
    ("[agencies.DLHK]\nshifts = { nope = 1 }", "nope"),
    ("[work.SAMPAH]\ndist = 'weibull'", "work.SAMPAH.dist"),
    ("[shifts]\npagi = { start = '7', end = '15:00' }", "JJ:MM"),
    ("[rates]\nhandback = 2", "rates.handback"),
])
def test_it_says_where_a_scenario_is_wrong(text, words):
    with pytest.raises(scenario.ScenarioError, match=words):
        scenario.parse(text)


def test_it_spreads_a_new_officer_count_over_the_teams():
    scen = scenario.load("data/kupang/capacity.toml").with_officers("DLHK", 13)
    assert [t.officers for t in scen.agencies["DLHK"].teams] == [3, 2, 2, 2, 2, 2]


def test_it_prints_the_summary_and_writes_csv(kupang, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SMALL)
    out = StringIO()
    call_command("simulate", "--scenario", str(path), "--replications", "2",
                 "--csv", str(tmp_path / "csv"), "--charts", str(tmp_path / "svg"), stdout=out)
    text = out.getvalue()
    assert "Kecil" in text and "DLHK" in text and "KOTA" in text
    rows = list(csv.DictReader((tmp_path / "csv" / "agencies.csv").open()))
    dlhk = next(r for r in rows if r["agency"] == "DLHK")
    assert float(dlhk["reports"]) > 100 and 0 <= float(dlhk["resolve_compliance"]) <= 1
    assert (tmp_path / "csv" / "backlog.csv").read_text().startswith("day,total")
    assert "SAMPAH" in (tmp_path / "csv" / "categories.csv").read_text()
    assert (tmp_path / "svg" / "compliance.svg").read_text().startswith("<svg")


def test_it_refuses_an_unknown_agency_in_officers(kupang, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(SMALL)
    with pytest.raises(CommandError, match="DINAS=JUMLAH"):
        call_command("simulate", "--scenario", str(path), "--officers", "XYZ=3",
                     stdout=StringIO())


def test_the_search_finds_the_smallest_count_that_meets_the_target(kupang):
    text = SMALL.replace("reports = 600", "reports = 3000")
    text += "\n[sla.SAMPAH]\nresolve = 4\n"
    scen = scenario.parse(text)
    found = services.search_agency(kupang, scen, "DLHK", replications=2, hi_cap=64)
    hit = found["targets"]["0.95"]
    assert hit is not None and hit["compliance"] >= 0.95
    assert hit["below"] is None or hit["below"]["compliance"] < 0.95
    stricter = found["targets"]["0.99"]
    assert stricter is None or stricter["officers"] >= hit["officers"]


def test_the_search_gives_up_where_officers_do_not_help(kupang):
    # Every job waits about 100 hours for materials against a 72-hour deadline: doubling
    # the officers changes nothing, and the search says so after a few runs, not thousands.
    text = SMALL.replace("reports = 600", "reports = 800")
    text += "\n[work.SAMPAH]\nmean_hours = 1.0\nlead_hours = 100\nlead_cv = 0.3\n"
    found = services.search_agency(kupang, scenario.parse(text), "DLHK", replications=1,
                                   hi_cap=4000)
    assert found["targets"] == {"0.95": None, "0.99": None}
    assert found["evaluations"] <= 4
    assert found["at_plan"]["compliance"] < 0.5


def test_it_replays_last_years_reports_with_growth(kupang, make_report, now):
    for k in range(20):
        make_report(at=now - timedelta(days=10 * k + 1))
    since, until = now - timedelta(days=365), now
    scen = scenario.parse(SMALL)
    same = demand.replay(kupang, scen, since=since, until=until, seed=1)
    assert len(same) == 20 and all(a.category == "SAMPAH" for a in same)
    # at the times they were made: a replay simulates the recorded period itself
    assert sorted(a.at for a in same) == sorted(
        now - timedelta(days=10 * k + 1) for k in range(20))
    grown = demand.replay(kupang, scenario.parse(SMALL.replace(
        'year = 2026', 'year = 2026\ngrowth = 2.0')), since=since, until=until, seed=1)
    assert len(grown) == 40


def test_it_fits_rates_from_the_citys_own_reports(kupang, make_report, make_user, now):
    desk = make_user("dispatcher", agency="DLHK")
    reports = [make_report(at=now - timedelta(days=k + 1)) for k in range(4)]
    report_services.reject(reports[0].pk, actor=desk, now=now, reason="spam")
    rates = demand.fitted_rates(kupang, since=now - timedelta(days=365), until=now,
                                default=scenario.Rates())
    assert rates.reject == pytest.approx(0.25)
    assert rates.handback == 0 and rates.reassign == 0
