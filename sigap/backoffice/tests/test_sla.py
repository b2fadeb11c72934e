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


def answered(report, people):
    """Verify the report at once, so that only the resolution deadline's ladder runs."""
    services.verify(report.pk, actor=people("dispatcher"), now=report.created_at)
    return report


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
def test_it_runs_from_the_periodic_task_with_the_frozen_clock(office_hours, make_report, people):
    report = answered(make_report(at=wita(2026, 12, 24, 10, 0)), people)
    with time_machine.travel(wita(2026, 12, 28, 13, 0), tick=False):
        assert escalate_sla.call_local() == []
    with time_machine.travel(wita(2026, 12, 29, 10, 30), tick=False):
        assert len(escalate_sla.call_local()) == 2  # missed reminder, then the head
    assert _levels(report) == [("reminder", "1"), ("escalation", "2")]


@pytest.mark.django_db
def test_it_counts_round_the_clock_for_other_agencies(category, make_report, now, people):
    report = answered(make_report(at=now), people)  # SAMPAH: 72 h, DLHK round the clock
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
    report = answered(make_report(at=now), people)
    people("head")
    committed(sla.run_escalations, now + timedelta(hours=73))
    client.force_login(people("dispatcher"))
    body = client.get(reverse("backoffice:inbox")).content.decode()
    assert "Eskalasi: kepala dinas" in body
    detail = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert "Eskalasi ke kepala dinas" in detail
    assert Notification.objects.filter(report=report, purpose="escalation").exists()


@pytest.fixture
def fire(category):
    """KEBAKARAN at DAMKAR, round the clock: 15 minutes to respond, 24 hours to resolve."""
    cat = category("KEBAKARAN")
    assert (cat.response_sla_hours, cat.resolve_sla_hours) == (0.25, 24)
    assert not cat.agency.working_hours_only
    return cat


def _damkar(make_user):
    return {role: make_user(role, agency="DAMKAR", email=f"{role}-damkar@sigap.test")
            for role in ("dispatcher", "head")} | {"admin": make_user("admin",
                                                                     email="admin@sigap.test")}


@pytest.mark.django_db
def test_it_escalates_an_unanswered_fire_report_within_minutes(
        fire, make_report, make_user, now, mailoutbox, committed):
    staff = _damkar(make_user)
    report = make_report("KEBAKARAN", at=now)
    assert report.response_due_at == now + timedelta(minutes=15)
    outbox.drain(now=now)
    mailoutbox.clear()
    assert sla.run_escalations(now + timedelta(minutes=11)) == []
    # 75% of 15 minutes: the desk is reminded that nobody has answered.
    assert len(committed(sla.run_escalations, now + timedelta(minutes=11, seconds=15))) == 1
    assert [m.to for m in mailoutbox] == [[staff["dispatcher"].email]]
    assert "menunggu tanggapan" in mailoutbox[0].subject
    mailoutbox.clear()
    # 15 minutes: the head, not 18 hours later on the resolution deadline.
    assert len(committed(sla.run_escalations, now + timedelta(minutes=15))) == 1
    assert [m.to for m in mailoutbox] == [[staff["head"].email]]
    assert "belum ditanggapi" in mailoutbox[0].subject
    mailoutbox.clear()
    assert len(committed(sla.run_escalations, now + timedelta(minutes=30))) == 1
    assert [m.to for m in mailoutbox] == [["admin@sigap.test"]]
    steps = list(ReportEvent.objects.filter(report=report, kind__in=["reminder", "escalation"])
                 .order_by("pk").values_list("kind", "new", "data__deadline"))
    assert steps == [("reminder", "1", "response"), ("escalation", "2", "response"),
                     ("escalation", "3", "response")]
    report.refresh_from_db()
    assert (report.response_escalation_level, report.escalation_level) == (sla.ADMIN, 0)
    assert sla.run_escalations(now + timedelta(minutes=31)) == []  # idempotent


@pytest.mark.django_db
def test_it_stops_the_response_ladder_once_the_desk_answers(fire, make_report, make_user, now):
    staff = _damkar(make_user)
    report = make_report("KEBAKARAN", at=now)
    services.verify(report.pk, actor=staff["dispatcher"], now=now + timedelta(minutes=5))
    assert sla.run_escalations(now + timedelta(hours=2)) == []
    # The resolution deadline still has its own ladder: 75% of 24 hours.
    assert len(sla.run_escalations(now + timedelta(hours=18))) == 1
    steps = list(ReportEvent.objects.filter(report=report, kind="reminder")
                 .values_list("data__deadline", flat=True))
    assert steps == ["resolve"]


@pytest.mark.django_db
def test_it_lets_only_one_worker_claim_a_response_step(fire, make_report, now):
    report = make_report("KEBAKARAN", at=now)
    steps = sla.steps_between(0, 2)
    later = now + timedelta(minutes=20)
    first = services.record_escalation(report.pk, from_level=0, steps=steps, now=later,
                                       deadline=sla.RESPONSE)
    second = services.record_escalation(report.pk, from_level=0, steps=steps, now=later,
                                        deadline=sla.RESPONSE)
    assert len(first) == 2 and second == []
    report.refresh_from_db()
    assert (report.response_escalation_level, report.escalation_level) == (2, 0)


@pytest.mark.django_db
def test_it_starts_the_response_ladder_again_for_the_agency_a_report_is_sent_to(
        category, make_report, people, now, make_user):
    report = make_report(at=now)  # SAMPAH at DLHK, not answered
    sla.run_escalations(now + timedelta(days=5))
    report.refresh_from_db()
    assert report.response_escalation_level == sla.ADMIN
    later = now + timedelta(days=5, minutes=1)
    pupr = category("JALAN_RUSAK").agency
    services.reassign(report.pk, actor=people("dispatcher"), now=later, agency=pupr,
                      reason="Bukan sampah, jalan berlubang")
    report.refresh_from_db()
    assert report.response_escalation_level == 0 and report.first_response_at is None
    assert report.response_due_at > later


@pytest.mark.django_db
def test_the_report_page_says_which_deadline_was_missed(
        client, fire, make_report, make_user, now, committed):
    staff = _damkar(make_user)
    report = make_report("KEBAKARAN", at=now)
    committed(sla.run_escalations, now + timedelta(minutes=16))
    client.force_login(staff["dispatcher"])
    with time_machine.travel(now + timedelta(minutes=17), tick=False):
        page = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert "Eskalasi ke kepala dinas: tenggat tanggapan pertama terlewat." in page
    response_row = page.split('id="deadline-response"')[1].split("</dd>")[0]
    resolve_row = page.split('id="deadline-resolve"')[1].split("</dd>")[0]
    assert "terlambat" in response_row and "Eskalasi: kepala dinas" in response_row
    assert "terlambat" not in resolve_row and "Eskalasi" not in resolve_row


def test_it_schedules_the_poller_and_the_retries_every_minute():
    from datetime import datetime as dt

    from huey.contrib.djhuey import HUEY

    periodic = {t.name: t for t in HUEY._registry.periodic_tasks}
    for name in ("escalate_sla", "retry_notifications"):
        task = next(t for n, t in periodic.items() if n.endswith(name))
        assert all(task.validate_datetime(dt(2026, 12, 25, 3, m)) for m in (0, 1, 59))
