"""The demo year is the capacity engine's trace, written: one model of a city year.

- What the dashboard reads from the written year equals what the engine measured of the same
  run, deadline by deadline and agency by agency (no lateness in the demo that the planner
  does not know about).
- `sigap simulate --replay` on that year, with other seeds and rates fitted from the record,
  comes within 3 points of the recorded compliance (the loop closes).
- The rows obey the lifecycle: replaying each report's recorded actions through the kernel
  from a new report gives its stored status and milestones.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from sigap.accounts.models import Role as AccountRole, User
from sigap.agencies.models import Agency, Team
from sigap.capacity import demand, services
from sigap.demo import history
from sigap.reports import lifecycle, workflow
from sigap.reports.models import Report, ReportEvent, TicketSequence

NOW = datetime(2026, 3, 1, 3, 0, tzinfo=timezone.utc)
START = datetime(2025, 12, 31, 16, 0, tzinfo=timezone.utc)  # 1 January, WITA


def generate(city, n: int, *, citizens: int = 60, seed: int = 1, now=NOW):
    return history.generate(city, reports=n, citizens=citizens, year=2026, seed=seed, now=now)


def recorded_counts(city, until) -> dict:
    return demand.recorded(city, since=START, until=until)


@pytest.mark.django_db
def test_the_dashboard_reads_in_the_demo_year_what_the_engine_measured(kupang):
    result = generate(kupang, 600)
    assert result.reports == Report.objects.count() == 600
    recorded = recorded_counts(kupang, NOW)
    engine_rows = result.summary["agencies"]
    compared = 0
    for code, row in recorded.items():
        simulated = engine_rows[code]
        assert (row["response"], row["resolve"]) == (
            [simulated["response_met"], simulated["response_missed"]],
            [simulated["resolve_met"], simulated["resolve_missed"]]), code
        compared += sum(row["response"]) + sum(row["resolve"])
    assert compared > 600  # both deadlines of most reports were decided
    assert sum(r["resolve"][1] for r in recorded.values()) > 0  # some were late


@pytest.mark.django_db
def test_a_replay_of_the_demo_year_comes_within_three_points(kupang):
    generate(kupang, 2500, now=datetime(2026, 4, 1, 3, 0, tzinfo=timezone.utc))
    until = demand.record_end(kupang, datetime(2026, 4, 1, 3, 0, tzinfo=timezone.utc))
    scenario = history.scenario_for(kupang)
    summary = services.run(kupang, scenario, replications=3, seed=11,
                           source=services.Source(since=START, until=until))
    rows = [("city", summary["overall"])] + [
        (code, row) for code, row in summary["agencies"].items()
        if (row.get("recorded_reports") or 0) >= 250]
    assert len(rows) >= 5
    for code, row in rows:
        for name in ("response", "resolve"):
            assert row[f"recorded_{name}_compliance"] is not None, (code, name)
            gap = row[f"{name}_difference_points"]
            assert abs(gap) <= 3.0, (code, name, row[f"{name}_compliance"],
                                     row[f"recorded_{name}_compliance"])


@pytest.mark.django_db
def test_every_report_follows_the_lifecycle_it_records(kupang):
    generate(kupang, 300)
    checked = 0
    events = {}
    for event in ReportEvent.objects.exclude(action="").order_by("at", "pk"):
        events.setdefault(event.report_id, []).append(event)
    for report in Report.objects.all():
        state = Report(status=workflow.Status.SUBMITTED, agency_id=report.agency_id,
                       created_at=report.created_at)
        for event in events.get(report.pk, []):
            lifecycle.apply(state, event.action, event.actor_role, event.at)
        assert state.status == report.status, report.ticket
        for name in lifecycle.MILESTONE_FIELDS:
            assert getattr(state, name) == getattr(report, name), (report.ticket, name)
        checked += 1
    assert checked == 300


@pytest.mark.django_db
def test_every_report_that_reached_the_field_has_a_team_and_an_officer(kupang):
    generate(kupang, 400)
    in_field = Report.objects.filter(status__in=["assigned", "in_progress", "resolved",
                                                 "closed"])
    assert in_field.count() > 200
    assert not in_field.filter(team=None).exists()
    assert not in_field.exclude(status="assigned").filter(resolved_at=None,
                                                          officer=None).exists()
    # Each resolution was by a named officer of the report's agency.
    resolves = ReportEvent.objects.filter(action="resolve").select_related("actor", "report")
    assert resolves.exists()
    assert all(e.actor.role == AccountRole.OFFICER and e.actor.agency_id == e.agency_id
               for e in resolves)


@pytest.mark.django_db
def test_it_is_the_same_year_for_the_same_seed(kupang):
    def shape():
        return list(Report.objects.order_by("ticket").values_list(
            "ticket", "status", "category_id", "agency_id", "lat", "lng", "resolved_at"))

    def forget():
        ReportEvent.objects.all().delete()
        Report.objects.all().delete()
        TicketSequence.objects.all().delete()
        User.objects.filter(username__startswith="warga-").delete()

    generate(kupang, 80, seed=9)
    first = shape()
    forget()
    generate(kupang, 80, seed=9)
    assert shape() == first
    forget()
    generate(kupang, 80, seed=10)
    assert shape() != first


@pytest.mark.django_db
def test_it_makes_the_citizens_and_the_scenarios_officers(kupang):
    scenario = history.scenario_for(kupang)
    result = generate(kupang, 30, citizens=25)
    assert result.citizens == 25
    assert User.objects.filter(role=AccountRole.CITIZEN).count() == 25
    officers = User.objects.filter(role=AccountRole.OFFICER)
    assert officers.count() == scenario.officers
    for code, plan in scenario.agencies.items():
        agency = Agency.objects.get(city=kupang, code=code)
        assert officers.filter(agency=agency).count() == plan.officers
        assert Team.objects.filter(agency=agency, code__in=[
            f"{code.lower()}-{t.code}" for t in plan.teams]).count() == len(plan.teams)
        if plan.working_hours_only is not None:
            assert agency.working_hours_only == plan.working_hours_only
    assert not officers.filter(teams=None).exists()
    # Nothing lies beyond now, and tickets continue from the generated ones.
    assert not ReportEvent.objects.filter(at__gt=NOW).exists()
    assert TicketSequence.objects.get(city=kupang, year=2026).last == 30


@pytest.mark.django_db
def test_a_new_report_after_the_history_takes_the_next_ticket(kupang, make_report):
    generate(kupang, 20, citizens=5)
    report = make_report(at=NOW + timedelta(hours=1))
    assert report.ticket == "KPG-2026-000021"
