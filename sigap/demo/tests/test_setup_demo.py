"""`sigap setup` (what `make serve` runs) loads the demo city once, and only where wanted."""

import pytest
from django.core.management import CommandError, call_command

from sigap.reports.models import Report


@pytest.fixture
def small_demo(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.SIGAP_DEMO_REPORTS, settings.SIGAP_DEMO_CITIZENS = 30, 8
    monkeypatch.setenv("SIGAP_DEMO_PASSWORD", "pw-Sigap-2026")
    return settings


@pytest.mark.django_db
def test_setup_loads_the_demo_city_once(small_demo, capsys):
    call_command("setup")
    assert Report.objects.count() == 30
    assert "Demo history of Kota Kupang" in capsys.readouterr().out
    call_command("setup")
    assert Report.objects.count() == 30  # idempotent: a second make serve loads nothing
    assert "nothing loaded" in capsys.readouterr().out


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
    assert Report.objects.count() == 30
    call_command("demo-data", auto=True)
    assert Report.objects.count() == 30
