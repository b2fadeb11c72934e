"""The SLA escalation ladder, with a frozen clock, across a weekend and a public holiday."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from django.urls import reverse

from sigap.notifications.models import Notification
from sigap.notifications.tasks import escalate_sla
from sigap.reports import outbox, services, sla
from sigap.reports.models import Report, ReportEvent

WITA = ZoneInfo("Asia/Makassar")


def wita(*args):
    return datetime(*args, tzinfo=WITA)


@pytest.fixture
def office_hours(category):
    """SAMPAH at DLHK, office hours only (08–16 WITA), 4 h to respond, 16 h to resolve."""
    cat = category("SAMPAH")
    cat.response_sla_hours, cat.resolve_sla_hours = 4, 16
    cat.save()
    agency = cat.agency
    agency.working_hours_only = True
    agency.save()
    return cat


def _levels(report):
    return list(ReportEvent.objects.filter(report=report, kind__in=["reminder", "escalation"])
                .order_by("pk").values_list("kind", "new"))


@pytest.mark.django_db
def test_it_climbs_the_ladder_across_a_holiday_and_a_weekend(
        office_hours, make_report, people, mailoutbox, committed):
    created = wita(2026, 12, 24, 10, 0)  # Thursday; Friday 25 Dec is Christmas
    assert date(2026, 12, 25) in holidays.country_holidays("ID", years=2026)
    report = make_report(at=created)
    services.verify(report.pk, actor=people("dispatcher"), now=created)
    services.assign(report.pk, actor=people("dispatcher"), now=created, officer=people("officer"))
    people("head"), people("admin")
    report.refresh_from_db()
    # Thu 10–16 (6 h) + Mon 28 (8 h) + Tue 29 08–10 (2 h) = 16 service hours.
    assert report.due_at == wita(2026, 12, 29, 10, 0)
    outbox.drain(now=created)  # the worker has handled the events so far (assignment mail)

    for quiet in [wita(2026, 12, 25, 12), wita(2026, 12, 27, 23), wita(2026, 12, 28, 13, 59)]:
        assert sla.run_escalations(quiet) == []
    # 75% = 12 service hours: 4 hours before the deadline is Monday 14:00.
    mailoutbox.clear()
    assert len(committed(sla.run_escalations, wita(2026, 12, 28, 14, 0))) == 1
    assert sla.run_escalations(wita(2026, 12, 28, 14, 1)) == []  # idempotent
    assert _levels(report) == [("reminder", "1")]
    assert [m.to for m in mailoutbox] == [["officer@sigap.test"]]

    assert sla.run_escalations(wita(2026, 12, 29, 9, 59)) == []
    mailoutbox.clear()
    assert len(committed(sla.run_escalations, wita(2026, 12, 29, 10, 0))) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["head@sigap.test", "officer@sigap.test"]
    # 200% = 16 more service hours: Tue 10–16, Wed 30, Thu 31 08–10.
    assert sla.run_escalations(wita(2026, 12, 31, 9, 59)) == []
    mailoutbox.clear()
    assert len(committed(sla.run_escalations, wita(2026, 12, 31, 10, 0))) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["admin@sigap.test", "officer@sigap.test"]
    assert _levels(report) == [("reminder", "1"), ("escalation", "2"), ("escalation", "3")]
    assert Report.objects.get(pk=report.pk).escalation_level == sla.ADMIN
    assert sla.run_escalations(wita(2027, 1, 15, 10, 0)) == []


@pytest.mark.django_db
def test_it_runs_from_the_periodic_task_with_the_frozen_clock(office_hours, make_report):
    report = make_report(at=wita(2026, 12, 24, 10, 0))
    with time_machine.travel(wita(2026, 12, 28, 13, 0), tick=False):
        assert escalate_sla.call_local() == []
    with time_machine.travel(wita(2026, 12, 29, 10, 30), tick=False):
        assert len(escalate_sla.call_local()) == 2  # missed reminder, then the head
    assert _levels(report) == [("reminder", "1"), ("escalation", "2")]


@pytest.mark.django_db
def test_it_counts_round_the_clock_for_other_agencies(category, make_report, now):
    report = make_report(at=now)  # SAMPAH: 72 h, DLHK round the clock by default
    assert report.due_at == now + timedelta(hours=72)
    assert sla.run_escalations(now + timedelta(hours=53, minutes=59)) == []
    assert len(sla.run_escalations(now + timedelta(hours=54))) == 1


@pytest.mark.django_db
def test_it_lets_only_one_worker_claim_a_step(make_report, now):
    report = make_report(at=now)
    later = now + timedelta(hours=80)
    steps = sla.steps_between(0, 2)
    first = services.record_escalation(report.pk, from_level=0, steps=steps, now=later)
    second = services.record_escalation(report.pk, from_level=0, steps=steps, now=later)
    assert len(first) == 2 and second == []
    assert _levels(report) == [("reminder", "1"), ("escalation", "2")]


@pytest.mark.django_db
def test_it_pauses_while_waiting_on_the_citizen_and_extends_on_resume(
        office_hours, make_report, people):
    created = wita(2026, 12, 24, 10, 0)
    report = make_report(at=created)
    dispatcher = people("dispatcher")
    services.pause_sla(report.pk, actor=dispatcher, now=wita(2026, 12, 28, 9, 0),
                       note="Mohon kirim foto lebih jelas")
    assert sla.run_escalations(wita(2026, 12, 29, 12, 0)) == []
    services.resume_sla(report.pk, actor=dispatcher, now=wita(2026, 12, 30, 9, 0))
    report.refresh_from_db()
    # Paused Mon 09–16 (7) + Tue (8) + Wed 08–09 (1) = 16 service hours later: Thu 31 10:00.
    assert report.due_at == wita(2026, 12, 31, 10, 0)
    assert report.sla_paused_at is None
    kinds = list(report.events.values_list("kind", flat=True))
    assert "sla_paused" in kinds and "sla_resumed" in kinds


@pytest.mark.django_db
def test_it_refuses_to_pause_twice(make_report, people, now):
    from sigap.reports.workflow import TransitionError

    report = make_report(at=now)
    services.pause_sla(report.pk, actor=people("dispatcher"), now=now, note="Butuh foto")
    with pytest.raises(TransitionError):
        services.pause_sla(report.pk, actor=people("dispatcher"), now=now, note="Lagi")


@pytest.mark.django_db
def test_it_shows_escalations_in_the_inbox(client, make_report, people, now, committed):
    report = make_report(at=now)
    people("head")
    committed(sla.run_escalations, now + timedelta(hours=73))
    client.force_login(people("dispatcher"))
    body = client.get(reverse("backoffice:inbox")).content.decode()
    assert "Eskalasi: kepala dinas" in body
    detail = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert "Eskalasi ke kepala dinas" in detail
    assert Notification.objects.filter(report=report, purpose="escalation").exists()


def test_it_schedules_the_poller_and_the_retries_every_minute():
    from datetime import datetime as dt

    from huey.contrib.djhuey import HUEY

    periodic = {t.name: t for t in HUEY._registry.periodic_tasks}
    for name in ("escalate_sla", "retry_notifications"):
        task = next(t for n, t in periodic.items() if n.endswith(name))
        assert all(task.validate_datetime(dt(2026, 12, 25, 3, m)) for m in (0, 1, 59))
