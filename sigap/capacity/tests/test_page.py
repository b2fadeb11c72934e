"""The Kapasitas page: only the city administrator; runs in the worker; progress; results."""

import pytest
from django.urls import reverse

from sigap.capacity.models import CapacityRun

SMALL = """
[scenario]
name = "Kecil"
year = 2026
reports = 400
drain_days = 5
[agencies.DLHK]
officers = 3
[agencies.PUPR]
officers = 3
"""


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user("admin"))
    return client


@pytest.mark.parametrize("role", ["citizen", "officer", "dispatcher", "head", "executive"])
def test_it_refuses_everyone_but_the_city_administrator(client, make_user, role):
    agency = "DLHK" if role in ("officer", "dispatcher", "head") else None
    client.force_login(make_user(role, agency=agency))
    assert client.get(reverse("capacity:index")).status_code == 403


def test_it_sends_visitors_to_sign_in(client, kupang):
    response = client.get(reverse("capacity:index"))
    assert response.status_code == 302 and "next=" in response["Location"]


def test_it_offers_the_city_packs_scenario(admin_client):
    response = admin_client.get(reverse("capacity:index"))
    assert response.status_code == 200
    assert "[agencies.DLHK]" in response.content.decode()


def test_it_explains_a_malformed_scenario_and_keeps_the_text(admin_client):
    response = admin_client.post(reverse("capacity:index"),
                                 {"scenario": "[scenario\nname=1", "replications": "1"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "bukan TOML yang sah" in body and "[scenario\nname=1" in body
    assert not CapacityRun.objects.exists()


def test_it_runs_the_scenario_in_the_worker_and_shows_the_answers(admin_client):
    response = admin_client.post(reverse("capacity:index"),
                                 {"scenario": SMALL, "replications": "2"})
    run = CapacityRun.objects.get()
    assert response["Location"] == reverse("capacity:run", args=[run.pk])
    assert run.status == CapacityRun.Status.DONE and run.progress == 1.0
    assert run.result["replications"] == 2
    assert set(run.result["agencies"]) >= {"DLHK", "PUPR"}
    page = admin_client.get(response["Location"]).content.decode()
    assert "<svg" in page and "DLHK" in page and "<script>" not in page
    status = admin_client.get(reverse("capacity:status", args=[run.pk])).json()
    assert status["finished"] is True and status["status"] == "done"
    printable = admin_client.get(reverse("capacity:print", args=[run.pk]))
    assert printable.status_code == 200 and "<svg" in printable.content.decode()


def test_a_running_scenario_shows_a_progress_bar_polled_by_a_static_script(admin_client,
                                                                          kupang):
    from django.utils import timezone

    run = CapacityRun.objects.create(city=kupang, name="x", scenario=SMALL,
                                     status=CapacityRun.Status.RUNNING, progress=0.4,
                                     created_at=timezone.now())
    page = admin_client.get(reverse("capacity:run", args=[run.pk])).content.decode()
    assert 'data-status-url="/kapasitas/%d/status/"' % run.pk in page
    assert "capacity/kapasitas.js" in page and 'value="0.400"' in page
    assert admin_client.get(reverse("capacity:status", args=[run.pk])).json()["progress"] == 0.4


def test_it_speaks_english_to_an_english_administrator(admin_client):
    from django.conf import settings

    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = admin_client.get(reverse("capacity:index")).content.decode()
    assert "Capacity: how many officers does the city need?" in body
    assert "Run the simulation" in body and "Jalankan simulasi" not in body


def test_it_can_search_the_officer_counts_in_the_worker(admin_client):
    text = SMALL.replace("reports = 400", "reports = 300").replace(
        "[agencies.PUPR]\nofficers = 3\n", "")
    admin_client.post(reverse("capacity:index"),
                      {"scenario": text, "replications": "1", "search": "1"})
    run = CapacityRun.objects.get()
    assert run.status == CapacityRun.Status.DONE
    assert set(run.result["search"]) == {"DLHK"}
    hit = run.result["search"]["DLHK"]["targets"]["0.95"]
    assert hit is None or hit["officers"] >= 1
    page = admin_client.get(reverse("capacity:run", args=[run.pk])).content.decode()
    assert "Petugas minimum per dinas" in page


def test_a_replay_puts_the_recorded_figures_beside_the_simulated_ones(admin_client, kupang,
                                                                      settings):
    from datetime import datetime, timedelta, timezone as tz

    import time_machine

    from sigap.demo import history

    recorded_at = datetime(2026, 2, 15, 3, 0, tzinfo=tz.utc)
    history.generate(kupang, reports=700, citizens=30, year=2026, seed=3, now=recorded_at)
    text = history.scenario_for(kupang).source
    with time_machine.travel(datetime(2026, 3, 1, 3, 0, tzinfo=tz.utc), tick=False):
        admin_client.post(reverse("capacity:index"),
                          {"scenario": text, "replications": "1", "replay": "1"})
    run = CapacityRun.objects.get()
    assert run.status == CapacityRun.Status.DONE, run.error
    # The record ends at its last event, not at the moment of the run.
    until = datetime.fromisoformat(run.result["replay"]["until"])
    assert recorded_at - timedelta(days=2) < until <= recorded_at + timedelta(minutes=1)
    dlhk = run.result["agencies"]["DLHK"]
    assert dlhk["recorded_reports"] > 50
    assert dlhk["recorded_resolve_compliance"] is not None
    assert dlhk["resolve_difference_points"] == pytest.approx(
        100 * (dlhk["resolve_compliance"] - dlhk["recorded_resolve_compliance"]), abs=0.01)
    page = admin_client.get(reverse("capacity:run", args=[run.pk])).content.decode()
    assert "Simulasi dibanding catatan kota" in page
    assert "Apa yang membuat laporan terlambat" in page and "Bahan/alat" in page
