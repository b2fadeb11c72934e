"""Issue 23, item 2: an emergency pages the kecamatan team on duty at once, is re-paged while
nobody acknowledges it, then escalates to the agency head; each step once, in the history."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from sigap.agencies.models import Category
from sigap.duty import paging
from sigap.duty.models import Callout, PagingRule
from sigap.notifications.models import Notification
from sigap.reports.models import ReportEvent

pytestmark = pytest.mark.django_db
K = ReportEvent.Kind


@pytest.fixture(autouse=True)
def _frozen(now):
    with time_machine.travel(now, tick=False):
        yield


@pytest.fixture
def fire_team(make_user, shift, team_of):
    day = make_user("officer", agency="DAMKAR", phone="081200000011",
                    notify_channel="whatsapp")
    night = make_user("officer", agency="DAMKAR", phone="081200000012",
                      notify_channel="whatsapp")
    head = make_user("head", agency="DAMKAR", email="kepala@damkar.test")
    team = team_of(day)
    team.members.add(night)
    shift(day, (7, 0), (19, 0), team=team)
    shift(night, (19, 0), (7, 0), team=team)
    return day, night, head


def history(report):
    return list(report.events.order_by("at", "pk").values_list("kind", "data"))


def kinds(report):
    return [k for k, _ in history(report)]


def test_the_city_pack_marks_fire_and_missing_person_as_paging(kupang):
    rules = {r.category.code: r for r in PagingRule.objects.select_related("category")}
    assert {"KEBAKARAN", "ORANG_HILANG"} <= set(rules)
    assert (rules["KEBAKARAN"].ack_minutes, rules["KEBAKARAN"].repages,
            rules["KEBAKARAN"].escalate_after_minutes) == (3, 2, 10)


def test_an_unacknowledged_fire_is_repaged_and_escalated_on_schedule(
        make_report, committed, fire_team, sent, mailoutbox, now):
    day, night, head = fire_team
    report = committed(make_report, "KEBAKARAN", description="Rumah terbakar")

    assert kinds(report) == [K.CREATED, K.PAGE]
    assert history(report)[1][1]["to"] == [day.pk]  # the day shift, not the night one
    assert [to for _, to, _ in sent] == ["081200000011"]
    assert "DARURAT" in sent[0][2] and "/office/jaga/panggilan/" in sent[0][2]

    assert committed(paging.run_due, now + timedelta(minutes=2, seconds=59)) == []
    callout = Callout.objects.get(report=report)
    assert committed(paging.run_due, now + timedelta(minutes=3)) == [(callout.pk, "page")]
    assert committed(paging.run_due, now + timedelta(minutes=3)) == []  # safe to run twice
    assert committed(paging.run_due, now + timedelta(minutes=6)) == [(callout.pk, "page")]
    assert mailoutbox == []
    assert committed(paging.run_due, now + timedelta(minutes=10)) == [(callout.pk, "escalate")]
    assert committed(paging.run_due, now + timedelta(hours=2)) == []

    assert kinds(report) == [K.CREATED, K.PAGE, K.PAGE, K.PAGE, K.PAGE_ESCALATED]
    assert [d.get("round") for k, d in history(report) if k == K.PAGE] == [0, 1, 2]
    assert history(report)[-1][1]["to"] == [head.pk]
    assert len(sent) == 3  # one WhatsApp page per round to the officer on duty
    assert [m.to for m in mailoutbox] == [["kepala@damkar.test"]]
    callout.refresh_from_db()
    assert callout.state == Callout.State.ESCALATED
    # Each page is one message per person: no event is delivered twice.
    assert Notification.objects.filter(purpose="page").count() == 4


def test_at_night_the_night_shift_is_paged(make_report, committed, fire_team, sent, now):
    day, night, head = fire_team
    late = now.replace(hour=16)  # 00:00 WITA
    with time_machine.travel(late, tick=False):
        report = committed(make_report, "KEBAKARAN", at=late)
    assert history(report)[1][1]["to"] == [night.pk]
    assert [to for _, to, _ in sent] == ["081200000012"]


def test_an_acknowledgement_stops_the_repages(make_report, committed, fire_team, client, now):
    day, night, head = fire_team
    report = committed(make_report, "KEBAKARAN")
    callout = Callout.objects.get(report=report)
    client.force_login(day)
    assert client.get(reverse("duty:ack", args=[callout.pk])).status_code == 200
    response = committed(client.post, reverse("duty:ack", args=[callout.pk]))
    assert response.status_code == 302

    assert committed(paging.run_due, now + timedelta(hours=1)) == []
    assert kinds(report) == [K.CREATED, K.PAGE, K.PAGE_ACK]
    assert report.events.get(kind=K.PAGE_ACK).actor == day
    assert paging.acknowledge(callout.pk, user=night, now=now) is False  # taken already
    assert kinds(report) == [K.CREATED, K.PAGE, K.PAGE_ACK]


def test_only_the_agencys_staff_may_acknowledge(make_report, committed, fire_team, make_user,
                                                client):
    report = committed(make_report, "KEBAKARAN")
    callout = Callout.objects.get(report=report)
    client.force_login(make_user("officer", agency="DLHK"))
    assert client.post(reverse("duty:ack", args=[callout.pk])).status_code == 403
    assert not Callout.objects.get(pk=callout.pk).acked_at


def test_a_step_taken_by_another_worker_is_not_taken_again(make_report, committed, fire_team,
                                                           now):
    report = committed(make_report, "KEBAKARAN")
    callout = Callout.objects.get(report=report)
    later = now + timedelta(minutes=3)
    assert committed(paging.take_step, callout.pk, now=later) == "page"
    # A second worker that read the callout before the first one's claim finds the step gone.
    Callout.objects.filter(pk=callout.pk).update(step=1)
    assert committed(paging.take_step, callout.pk, now=later) is None
    assert kinds(report).count(K.PAGE) == 2


def test_a_category_that_does_not_page_opens_no_callout(make_report, committed, fire_team):
    committed(make_report)  # SAMPAH
    assert not Callout.objects.exists()
    PagingRule.objects.filter(category=Category.objects.get(code="KEBAKARAN")).update(page=False)
    committed(make_report, "KEBAKARAN")
    assert not Callout.objects.exists()


def test_the_office_report_page_offers_the_acknowledgement(make_report, committed, fire_team,
                                                           make_user, client):
    day, night, head = fire_team
    report = committed(make_report, "KEBAKARAN")
    callout = Callout.objects.get(report=report)
    desk = make_user("dispatcher", agency="DAMKAR")
    client.force_login(desk)
    page = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert reverse("duty:ack", args=[callout.pk]) in page
    committed(client.post, reverse("duty:ack", args=[callout.pk]))
    page = client.get(reverse("backoffice:report", args=[report.ticket])).content.decode()
    assert reverse("duty:ack", args=[callout.pk]) not in page
    assert report.events.filter(kind=K.PAGE_ACK, actor=desk).exists()


def test_a_fire_report_rejected_meanwhile_is_not_paged_again(make_report, committed,
                                                             fire_team, make_user, now):
    from sigap.reports import services

    report = committed(make_report, "KEBAKARAN")
    desk = make_user("dispatcher", agency="DAMKAR")
    committed(services.reject, report.pk, actor=desk, now=now, reason="spam")
    assert committed(paging.run_due, now + timedelta(hours=1)) == []
    assert kinds(report).count(K.PAGE) == 1
    assert Callout.objects.get(report=report).state == Callout.State.CLOSED
