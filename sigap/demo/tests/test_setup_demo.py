"""`sigap setup` (what `make serve` runs) loads the demo cities once, and only where wanted."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from sigap.cities.models import City
from sigap.reports.models import Report


def per_city() -> dict:
    return dict(Report.objects.values_list("city__code").annotate(n=Count("id")))


@pytest.fixture
def small_demo(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.SIGAP_DEMO_REPORTS, settings.SIGAP_DEMO_CITIZENS = 30, 8
    monkeypatch.setenv("SIGAP_DEMO_PASSWORD", "pw-Sigap-2026")
    return settings


@pytest.mark.django_db
def test_setup_loads_the_demo_city_once(small_demo, capsys):
    call_command("setup")
    # Every pack, Kota Kupang's year first, then the smaller cities' (at most --reports).
    assert set(City.objects.values_list("code", flat=True)) == {
        "kupang", "kabupaten-kupang", "jayapura"}
    assert per_city() == {"kupang": 30, "kabupaten-kupang": 30, "jayapura": 30}
    out = capsys.readouterr().out
    assert out.index("Demo history of Kota Kupang") < out.index("Demo history of Kota Jayapura")
    assert "Demo history of Kabupaten Kupang" in out
    call_command("setup")
    assert Report.objects.count() == 90  # idempotent: a second make serve loads nothing
    assert "nothing loaded" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_smaller_cities_get_their_own_scenarios_year(small_demo):
    small_demo.SIGAP_DEMO_REPORTS = 5000
    call_command("loadcity", "kupang", "kabupaten-kupang", "jayapura")
    from sigap.demo import history

    planned = {c.code: history.scenario_for(c).reports for c in City.objects.all()}
    assert planned == {"kupang": 30000, "kabupaten-kupang": 3000, "jayapura": 2000}
    small_demo.SIGAP_DEMO_REPORTS = 40
    call_command("demo-data", auto=True)
    assert per_city() == {"kupang": 40, "kabupaten-kupang": 40, "jayapura": 40}
    # Each city's staff are its own (agency codes repeat between cities: PUPR).
    from sigap.accounts.models import User

    officers = User.objects.filter(role="officer", username__endswith="-pupr-1")
    assert {u.username: u.agency.city.code for u in officers.select_related("agency__city")} == {
        "officer-pupr-1": "kupang", "kabupaten-kupang-officer-pupr-1": "kabupaten-kupang",
        "jayapura-officer-pupr-1": "jayapura"}
    from django.db.models import F

    assert Report.objects.exclude(officer=None).exists()
    assert not Report.objects.exclude(officer=None).exclude(
        officer__agency__city=F("city")).exists()


@pytest.mark.django_db
def test_no_demo_and_the_switch_skip_it(small_demo):
    call_command("setup", no_demo=True)
    assert not Report.objects.exists()
    small_demo.SIGAP_DEMO_DATA = False
    call_command("setup")
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_production_never_loads_it(small_demo):
    small_demo.PRODUCTION = True
    call_command("setup")
    assert not Report.objects.exists()
    with pytest.raises(CommandError, match="production"):
        call_command("demo-data", reports=10, citizens=1)


@pytest.mark.django_db
def test_demo_data_refuses_nonsense(kupang):
    with pytest.raises(CommandError):
        call_command("demo-data", reports=-1, citizens=1)
    with pytest.raises(CommandError, match="No city"):
        call_command("demo-data", reports=1, citizens=1, city="atlantis")


@pytest.mark.django_db
def test_make_serve_loads_it_beside_the_server(small_demo):
    # make serve: `setup --demo-data-later`, then `demo-data --auto` beside gunicorn.
    call_command("setup", demo_data_later=True)
    assert not Report.objects.exists()
    small_demo.SIGAP_DEMO_DATA = False
    call_command("demo-data", auto=True)
    assert not Report.objects.exists()
    small_demo.SIGAP_DEMO_DATA = True
    call_command("demo-data", auto=True)
    assert Report.objects.count() == 90
    call_command("demo-data", auto=True)
    assert Report.objects.count() == 90
