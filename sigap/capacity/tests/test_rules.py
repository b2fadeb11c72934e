"""The simulation runs on the product's own rules: change one in the product (a fixture's
row, or the rule's function) and the simulated outcome moves accordingly."""

import pytest

from sigap.agencies import routing
from sigap.agencies.models import Agency, Category
from sigap.capacity import engine
from sigap.reports import services, sla, workflow

@pytest.fixture
def simulate(run_scenario, scenario_text):
    """Return simulate(...): DLHK and DINSOS (3 officers) on the city's own rows."""

    def run(*, dlhk=3, auto=True, days=10, per_hour=1.0, seed=1, code="SAMPAH"):
        return run_scenario(scenario_text(dlhk=dlhk, auto_assign=auto, dinsos=3),
                            days=days, per_hour=per_hour, seed=seed, code=code)

    return run


def test_it_routes_by_the_products_category_agency(kupang, simulate):
    _run, before = simulate()
    assert before["agencies"]["DLHK"]["reports"] > 150
    assert before["agencies"]["DINSOS"]["reports"] == 0
    Category.objects.filter(city=kupang, code="SAMPAH").update(
        agency=Agency.objects.get(city=kupang, code="DINSOS"))
    _run, after = simulate()
    assert after["agencies"]["DLHK"]["reports"] == 0
    assert after["agencies"]["DINSOS"]["reports"] == before["agencies"]["DLHK"]["reports"]


def test_it_uses_the_categorys_sla_for_deadlines(kupang, simulate):
    _run, before = simulate()
    assert before["agencies"]["DLHK"]["resolve_compliance"] > 0.95
    Category.objects.filter(city=kupang, code="SAMPAH").update(resolve_sla_hours=0.5)
    _run, after = simulate()
    assert after["agencies"]["DLHK"]["resolve_compliance"] < 0.3


def test_it_takes_deadlines_from_the_products_sla_maths(kupang, simulate):
    Agency.objects.filter(city=kupang, code="DLHK").update(working_hours_only=True)
    run, _summary = simulate(days=14)
    cat = Category.objects.select_related("agency", "city").get(city=kupang, code="SAMPAH")
    for r in run.reports[:50]:
        response_due, due = services.due_times(cat, cat.agency, kupang,
                                               run.timeline.dt(r.created))
        assert r.response_due_at == response_due
        assert r.due_at == due


def test_an_office_hours_calendar_moves_the_deadlines_later(kupang, simulate):
    Category.objects.filter(city=kupang, code="SAMPAH").update(resolve_sla_hours=4)
    _run, round_the_clock = simulate(days=14)
    Agency.objects.filter(city=kupang, code="DLHK").update(working_hours_only=True)
    _run, office = simulate(days=14)
    # four office hours last longer than four hours: more reports are fixed in time
    assert office["agencies"]["DLHK"]["resolve_compliance"] > \
        round_the_clock["agencies"]["DLHK"]["resolve_compliance"]


def test_it_escalates_by_the_products_ladder(kupang, simulate, monkeypatch):
    Category.objects.filter(city=kupang, code="SAMPAH").update(resolve_sla_hours=2)
    _run, before = simulate(dlhk=2)
    row = before["agencies"]["DLHK"]
    assert row["reminders"] >= row["to_head"] > row["to_admin"] > 0

    def at_once(due_at, sla_hours, calendar):  # every step the moment the deadline passes
        return sla.Thresholds(reminder_at=due_at, head_at=due_at, admin_at=due_at)

    monkeypatch.setattr(sla, "thresholds", at_once)
    _run, after = simulate(dlhk=2)
    assert after["agencies"]["DLHK"]["to_admin"] == after["agencies"]["DLHK"]["to_head"]


def test_it_moves_reports_through_the_products_state_machine(simulate, monkeypatch):
    transitions = dict(workflow.TRANSITIONS)
    del transitions[(workflow.Status.VERIFIED, workflow.Action.ASSIGN)]
    monkeypatch.setattr(workflow, "TRANSITIONS", transitions)
    with pytest.raises(engine.ForbiddenMove, match="verified --assign"):
        simulate(days=1)


def test_it_assigns_the_least_loaded_officer_on_duty_by_the_products_rule(simulate, monkeypatch):
    run, _summary = simulate(dlhk=4, per_hour=2.0)
    jobs = sorted(o.jobs for o in run.officers if o.agency == "DLHK")
    assert jobs[0] > 20  # least-loaded: a busy officer passes the next job on

    def lowest_id(officers):  # a product that ignores the load
        candidates = [o for o in officers if o.on_duty]
        return min(candidates, key=lambda o: o.user_id).user_id if candidates else None

    monkeypatch.setattr(routing, "pick_officer", lowest_id)
    run, _summary = simulate(dlhk=4, per_hour=2.0)
    jobs = sorted(o.jobs for o in run.officers if o.agency == "DLHK")
    assert jobs[:3] == [0, 0, 0]


def test_it_serves_the_kecamatan_team_first(run_scenario, scenario_text):
    text = scenario_text(dlhk=0, dinsos=3, extra="""
[[agencies.DLHK.teams]]
code = "oebobo"
kecamatan = ["53.71.04"]
officers = 2
[[agencies.DLHK.teams]]
code = "maulafa"
kecamatan = ["53.71.02"]
officers = 2
""")
    run, _summary = run_scenario(text, days=5, per_hour=1.0, seed=3,
                                 places=[("53.71.04", -10.17, 123.60)])
    by_team = {o.team.code: 0 for o in run.officers}
    for o in run.officers:
        by_team[o.team.code] += o.jobs
    assert by_team["oebobo"] > 50 and by_team["maulafa"] == 0


def test_dispatching_when_free_waits_less_than_auto_assigning_at_once(simulate):
    _run, auto = simulate(dlhk=3, auto=True, per_hour=2.2, days=30)
    _run, free = simulate(dlhk=3, auto=False, per_hour=2.2, days=30)
    assert free["agencies"]["DLHK"]["mean_wait"] < auto["agencies"]["DLHK"]["mean_wait"]


def test_more_officers_fix_more_in_time(kupang, simulate):
    Category.objects.filter(city=kupang, code="SAMPAH").update(resolve_sla_hours=3)
    _run, few = simulate(dlhk=1, per_hour=0.8, days=20)
    _run, many = simulate(dlhk=4, per_hour=0.8, days=20)
    assert many["agencies"]["DLHK"]["resolve_compliance"] > \
        few["agencies"]["DLHK"]["resolve_compliance"] + 0.2
