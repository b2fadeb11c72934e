"""Issue 23, item 2: the rota decides who is assigned and who hears of a new report, each by
their own channel (web push first, their channel as its fallback)."""

import pytest
import time_machine

from sigap.agencies.models import Agency, Team
from sigap.cities.models import Area
from sigap.duty import push
from sigap.duty.models import PushSubscription
from sigap.notifications.models import Notification
from sigap.reports import services
from sigap.reports.workflow import Status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(now):
    with time_machine.travel(now, tick=False):
        yield


def alerts():
    return list(Notification.objects.filter(purpose=Notification.Purpose.ALERT)
                .order_by("pk").values_list("user_id", "channel", "state"))


def test_it_alerts_the_desk_on_duty_each_by_their_own_channel(
        make_user, make_report, committed, shift, sent, mailoutbox):
    day = make_user("dispatcher", agency="DLHK", phone="081211110001",
                    notify_channel="whatsapp")
    late = make_user("dispatcher", agency="DLHK", email="sore@dlhk.test")
    night = make_user("dispatcher", agency="DLHK", email="malam@dlhk.test")
    mail_day = make_user("dispatcher", agency="DLHK", email="pagi@dlhk.test")
    shift(day, (7, 0), (15, 0))
    shift(mail_day, (7, 0), (15, 0))
    shift(late, (15, 0), (23, 0))
    shift(night, (23, 0), (7, 0))

    report = committed(make_report)  # Monday 10:00 WITA

    assert alerts() == [(day.pk, "whatsapp", "sent"), (mail_day.pk, "email", "sent")]
    assert [to for channel, to, _ in sent] == ["081211110001"]
    assert report.ticket in sent[0][2] and "/office/r/" in sent[0][2]
    assert [m.to for m in mailoutbox] == [["pagi@dlhk.test"]]


def test_it_alerts_the_new_agencys_desk_when_a_report_is_rerouted(
        make_user, make_report, committed, shift, mailoutbox):
    dlhk_desk = make_user("dispatcher", agency="DLHK", email="desk@dlhk.test")
    pupr_desk = make_user("dispatcher", agency="PUPR", email="desk@pupr.test")
    shift(dlhk_desk, (0, 0), (0, 0))
    shift(pupr_desk, (0, 0), (0, 0))
    report = committed(make_report)
    mailoutbox.clear()

    committed(services.reassign, report.pk, actor=dlhk_desk, now=report.created_at,
              agency=Agency.objects.get(code="PUPR"), reason="Saluran, bukan sampah")

    assert [m.to for m in mailoutbox] == [["desk@pupr.test"]]
    assert alerts()[-1][0] == pupr_desk.pk


def test_it_pushes_first_and_falls_back_to_whatsapp_when_the_push_fails(
        make_user, make_report, committed, shift, sent, monkeypatch, now):
    desk = make_user("dispatcher", agency="DLHK", phone="081211110002",
                     notify_channel="whatsapp")
    shift(desk, (0, 0), (0, 0))
    PushSubscription.objects.create(user=desk, endpoint="https://push.example/abc",
                                    p256dh="k", auth="a", created_at=now)
    pushed = []
    monkeypatch.setattr(push, "_webpush", lambda sub, payload: pushed.append(payload))
    committed(make_report)
    assert len(pushed) == 1 and sent == []
    assert alerts() == [(desk.pk, "push", "sent")]

    def gone_offline(sub, payload):
        raise OSError("push service unreachable")

    monkeypatch.setattr(push, "_webpush", gone_offline)
    committed(make_report)
    assert [to for _, to, _ in sent] == ["081211110002"]
    assert alerts()[-1] == (desk.pk, "push", "sent")


def test_auto_assignment_follows_the_rota_not_the_flag(make_user, make_report, shift, now):
    dlhk = Agency.objects.get(code="DLHK")
    dlhk.auto_assign = True
    dlhk.save()
    team = Team.objects.create(agency=dlhk, code="maulafa", name="Tim Maulafa")
    team.kecamatan.add(Area.objects.get(name="Maulafa", level="kecamatan"))
    night = make_user("officer", dlhk, team=False)  # lower id: wins a tie without a rota
    day = make_user("officer", dlhk, team=False)
    team.members.add(night, day)
    shift(night, (20, 0), (8, 0), team=team)
    shift(day, (8, 0), (20, 0), team=team)
    desk = make_user("dispatcher", dlhk)

    report = make_report(lat=-10.1716, lng=123.6711)
    services.verify(report.pk, actor=desk, now=now)  # Monday 10:00 WITA
    report.refresh_from_db()
    assert (report.status, report.officer) == (Status.ASSIGNED, day)

    at_night = make_report(lat=-10.1716, lng=123.6711, at=now.replace(hour=16))  # 00:00 WITA
    services.verify(at_night.pk, actor=desk, now=now.replace(hour=16))
    at_night.refresh_from_db()
    assert at_night.officer == night


def test_an_agency_without_a_rota_keeps_the_on_duty_flag(make_user, make_report, now):
    dlhk = Agency.objects.get(code="DLHK")
    dlhk.auto_assign = True
    dlhk.save()
    team = Team.objects.create(agency=dlhk, code="kota", name="Tim Kota")
    off = make_user("officer", dlhk, team=False, on_duty=False)
    on = make_user("officer", dlhk, team=False)
    team.members.add(off, on)
    report = make_report()
    services.verify(report.pk, actor=make_user("dispatcher", dlhk), now=now)
    report.refresh_from_db()
    assert report.officer == on
