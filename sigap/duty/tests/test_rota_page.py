"""The rota in the office: the agency head edits it, the agency's staff read it."""

import pytest
from django.urls import reverse

from sigap.duty.models import Shift

pytestmark = pytest.mark.django_db


def new_shift(user, team=""):
    return {"user": user.pk, "team": team, "weekdays": ["4", "5"], "starts": "22:00",
            "ends": "06:00", "holidays": "also", "valid_from": "", "valid_until": ""}


def test_the_head_adds_a_night_shift_and_sees_who_is_on_duty(make_user, client, team_of):
    head = make_user("head", agency="DAMKAR")
    officer = make_user("officer", agency="DAMKAR")
    client.force_login(head)
    response = client.post(reverse("duty:rota"), new_shift(officer, team_of(officer).pk))
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert (shift.agency.code, shift.team, shift.weekdays) == ("DAMKAR", team_of(officer), "45")
    page = client.get(reverse("duty:rota")).content.decode()
    assert str(officer) in page and "Jum Sab" in page and "22:00–06:00" in page

    client.post(reverse("duty:delete", args=[shift.pk]))
    assert not Shift.objects.exists()


def test_it_refuses_a_person_of_another_agency(make_user, client):
    client.force_login(make_user("head", agency="DAMKAR"))
    stranger = make_user("officer", agency="DLHK")
    response = client.post(reverse("duty:rota"), new_shift(stranger))
    assert response.status_code == 200 and not Shift.objects.exists()


def test_the_desk_reads_the_rota_but_may_not_change_it(make_user, client, now):
    desk = make_user("dispatcher", agency="DAMKAR")
    shift = Shift.objects.create(agency=desk.agency, user=desk, starts="08:00", ends="16:00",
                                 created_at=now)
    client.force_login(desk)
    page = client.get(reverse("duty:rota"))
    assert page.status_code == 200 and "Tambah giliran" not in page.content.decode()
    assert client.post(reverse("duty:rota"), new_shift(desk)).status_code == 403
    assert client.post(reverse("duty:delete", args=[shift.pk])).status_code == 403
    assert Shift.objects.count() == 1


def test_citizens_may_not_see_the_rota(make_user, client):
    client.force_login(make_user("citizen"))
    assert client.get(reverse("duty:rota")).status_code == 403


def test_a_browser_subscribes_to_web_push(make_user, client, settings, tmp_path):
    from sigap.duty.models import PushSubscription

    settings.SIGAP_VAPID_KEY_FILE = tmp_path / "vapid_key.pem"
    desk = make_user("dispatcher", agency="DAMKAR")
    client.force_login(desk)
    key = client.get(reverse("duty:vapid_key")).json()["key"]
    assert len(key) == 87 and settings.SIGAP_VAPID_KEY_FILE.stat().st_mode & 0o777 == 0o600
    assert client.get(reverse("duty:vapid_key")).json()["key"] == key  # generated once
    sub = {"endpoint": "https://push.example/send/abc", "keys": {"p256dh": "BPk", "auth": "x"}}
    response = client.post(reverse("duty:subscribe"), sub, content_type="application/json")
    assert response.status_code == 200
    assert PushSubscription.objects.get().user == desk
    bad = client.post(reverse("duty:subscribe"), {"endpoint": "http://x"},
                      content_type="application/json")
    assert bad.status_code == 400
    worker = client.get(reverse("duty:service_worker"))
    assert worker["Service-Worker-Allowed"] == "/office/" and b"showNotification" in worker.content
