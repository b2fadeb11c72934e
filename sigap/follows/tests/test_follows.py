"""Following a place: who hears of what, once, coalesced; confirmation, unsubscribe, feeds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from sigap.follows import services
from sigap.follows.models import Follow, FollowItem, FollowMessage
from sigap.reports import outbox
from sigap.reports.services import Contact

pytestmark = pytest.mark.django_db

POINT = (-10.17, 123.60)


@pytest.fixture
def place(kupang, make_report, now):
    """The kelurahan of POINT (found by a first report, removed again)."""
    report = make_report(lat=POINT[0], lng=POINT[1], at=now - timedelta(days=30))
    outbox.drain(now=now - timedelta(days=30))
    return services.Place(kupang, kelurahan=report.kelurahan)


def confirmed(place, *, destination="warga@contoh.id", channel="email",
              frequency="instant", now, circle=None):
    if circle is not None:
        place = services.Place(place.city, lat=circle[0], lng=circle[1], radius_m=circle[2])
    return Follow.objects.create(
        city=place.city, kelurahan=place.kelurahan, lat=place.lat, lng=place.lng,
        radius_m=place.radius_m, channel=channel, destination=destination,
        frequency=frequency, confirmed_at=now, created_at=now)


def new_report(make_report, now, **kw):
    kw.setdefault("contact", Contact(name="Yohanes Lapor", phone="081234567890",
                                     email="pelapor@contoh.id"))
    return make_report(lat=POINT[0], lng=POINT[1], at=now,
                       description=kw.pop("description", "Sampah di depan rumah Pak Yohanes"),
                       **kw)


def test_it_tells_a_kelurahan_follower_of_a_new_public_report_once(place, make_report, now):
    confirmed(place, now=now)
    report = new_report(make_report, now)
    outbox.drain(now=now)
    assert services.send_due(now) == {}  # the window is still open
    later = now + timedelta(minutes=11)
    sent = services.send_due(later)
    assert list(sent.values()) == ["sent"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert report.ticket in message.body
    assert place.kelurahan.name in message.subject
    # Nothing of the reporter: not the name, the contacts, nor what they wrote.
    for secret in ("Yohanes", "081234567890", "pelapor@contoh.id", "depan rumah"):
        assert secret not in message.body and secret not in message.alternatives[0][0]
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and "/ikuti/berhenti/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    outbox.drain(now=later)
    assert services.send_due(later + timedelta(hours=1)) == {}
    assert len(mail.outbox) == 1


def test_it_coalesces_a_burst_in_the_place_into_one_message(place, make_report, now):
    confirmed(place, now=now)
    tickets = []
    for minute in (0, 4, 8):
        tickets.append(new_report(make_report, now + timedelta(minutes=minute)).ticket)
        outbox.drain(now=now + timedelta(minutes=minute))
    services.send_due(now + timedelta(minutes=10, seconds=1))
    assert len(mail.outbox) == 1
    assert all(t in mail.outbox[0].body for t in tickets)
    assert "3" in mail.outbox[0].subject


def test_it_never_announces_a_confidential_report(place, make_report, now):
    confirmed(place, now=now)
    new_report(make_report, now, is_public=False)
    outbox.drain(now=now)
    assert FollowItem.objects.count() == 0
    services.send_due(now + timedelta(hours=1))
    assert mail.outbox == []


def test_a_report_rejected_within_the_window_is_not_told(place, make_report, make_user, now):
    from sigap.reports import services as reports

    confirmed(place, now=now)
    report = new_report(make_report, now)
    outbox.drain(now=now)
    desk = make_user("dispatcher", agency=report.agency)
    reports.reject(report.pk, actor=desk, now=now + timedelta(minutes=1), reason="Bukan masalah")
    states = services.send_due(now + timedelta(minutes=11))
    assert list(states.values()) == ["sent"]  # nothing public left: recorded, nothing sent
    assert mail.outbox == []


def test_it_tells_of_a_fix(place, make_report, make_user, now, photo):
    from sigap.reports import services as reports

    report = new_report(make_report, now - timedelta(days=1))
    outbox.drain(now=now - timedelta(days=1))
    confirmed(place, now=now)
    officer = make_user("officer", agency=report.agency)
    reports.assign(report.pk, actor=make_user("dispatcher", agency=report.agency), now=now,
                   officer=officer)
    reports.resolve(report.pk, actor=officer, now=now, note="Sudah diangkut", photos=[photo()])
    outbox.drain(now=now)
    assert list(FollowItem.objects.values_list("kind", flat=True)) == ["fixed"]
    services.send_due(now + timedelta(minutes=11))
    assert "Sudah diperbaiki" in mail.outbox[0].body and report.ticket in mail.outbox[0].body


def test_a_circle_hears_of_reports_inside_it_only(kupang, make_report, now):
    near = confirmed(services.Place(kupang), circle=(POINT[0], POINT[1] + 0.003, 400),
                     destination="dekat@contoh.id", now=now)  # ~330 m away
    far = confirmed(services.Place(kupang), circle=(POINT[0], POINT[1] + 0.02, 500),
                    destination="jauh@contoh.id", now=now)  # ~2.2 km away
    new_report(make_report, now)
    outbox.drain(now=now)
    assert set(FollowItem.objects.values_list("follow_id", flat=True)) == {near.pk}
    assert far.pk


def test_a_follow_in_another_city_hears_nothing_of_kupang(place, jayapura, make_report, now):
    Follow.objects.create(city=jayapura, lat=POINT[0], lng=POINT[1], radius_m=3000,
                          channel="email", destination="papua@contoh.id", confirmed_at=now,
                          created_at=now)
    new_report(make_report, now)
    outbox.drain(now=now)
    assert FollowItem.objects.count() == 0


def test_an_unconfirmed_follow_hears_nothing(place, make_report, now):
    Follow.objects.create(city=place.city, kelurahan=place.kelurahan, channel="email",
                          destination="belum@contoh.id", created_at=now)
    new_report(make_report, now)
    outbox.drain(now=now)
    assert FollowItem.objects.count() == 0


def test_the_daily_digest_waits_for_the_morning(place, make_report, now, settings):
    settings.SIGAP_FOLLOW_DIGEST_HOUR = 7
    confirmed(place, frequency="daily", now=now)
    new_report(make_report, now)
    outbox.drain(now=now)
    due = FollowItem.objects.get().due_at
    local = due.astimezone(place.city.tz)
    assert (local.hour, local.minute) == (7, 0) and now < due <= now + timedelta(days=1)
    services.send_due(due - timedelta(minutes=1))
    assert mail.outbox == []
    services.send_due(due)
    assert len(mail.outbox) == 1 and "ringkasan harian" in mail.outbox[0].subject


def test_a_worker_killed_between_claim_and_send_sends_once_on_the_next_run(
        place, make_report, now):
    confirmed(place, now=now)
    new_report(make_report, now)
    outbox.drain(now=now)
    later = now + timedelta(minutes=11)
    claimed = services.claim(later)  # the worker commits its claim ... and dies here
    assert len(claimed) == 1 and mail.outbox == []
    assert FollowMessage.objects.get().state == "claimed"
    services.send_due(later + timedelta(minutes=1))  # the next minute's job
    services.send_due(later + timedelta(minutes=2))
    assert len(mail.outbox) == 1
    assert FollowMessage.objects.get().state == "sent"


def test_a_worker_killed_while_sending_does_not_send_again(place, make_report, now,
                                                          monkeypatch):
    from sigap.notifications import channels

    confirmed(place, now=now)
    new_report(make_report, now)
    outbox.drain(now=now)

    def killed(*args, **kwargs):
        raise SystemExit("killed")  # dies inside the send: the record never happens

    monkeypatch.setattr(channels, "send_email", killed)
    with pytest.raises(SystemExit):
        services.send_due(now + timedelta(minutes=11))
    monkeypatch.undo()
    services.send_due(now + timedelta(minutes=12))
    assert mail.outbox == []  # at most once: the message is left "sending"
    assert FollowMessage.objects.get().state == "sending"


def test_two_runs_at_once_claim_each_item_once(place, make_report, now):
    confirmed(place, now=now)
    new_report(make_report, now)
    outbox.drain(now=now)
    later = now + timedelta(minutes=11)
    assert len(services.claim(later)) == 1
    assert services.claim(later) == []
    services.send_claimed(later)
    services.send_claimed(later)
    assert len(mail.outbox) == 1


def test_a_failed_send_is_retried_later(place, make_report, now, monkeypatch):
    from sigap.notifications import channels

    confirmed(place, now=now)
    new_report(make_report, now)
    outbox.drain(now=now)

    def down(*args, **kwargs):
        raise channels.DeliveryError("smtp down")

    monkeypatch.setattr(channels, "send_email", down)
    later = now + timedelta(minutes=11)
    assert list(services.send_due(later).values()) == ["claimed"]
    monkeypatch.undo()
    assert services.send_due(later + timedelta(seconds=30)) == {}  # backing off
    services.send_due(later + timedelta(minutes=2))
    assert len(mail.outbox) == 1


# --- Pages --------------------------------------------------------------------------------

def test_a_visitor_follows_by_email_after_confirming(client, place, make_report, now,
                                                     django_capture_on_commit_callbacks):
    url = reverse("follows:follow") + f"?kelurahan={place.kelurahan.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(url, {"channel": "email", "destination": "Warga@Contoh.id",
                                   "frequency": "instant"})
    assert answer.status_code == 302
    row = Follow.objects.get()
    assert row.destination == "warga@contoh.id" and row.confirmed_at is None
    assert len(mail.outbox) == 1  # the confirmation link
    link = next(w for w in mail.outbox[0].body.split() if "/ikuti/konfirmasi/" in w)
    path = link.split("127.0.0.1:8000")[-1]
    assert client.get(path).status_code == 200
    row.refresh_from_db()
    assert row.confirmed_at is None  # a link scanner's GET confirms nothing
    client.post(path)
    row.refresh_from_db()
    assert row.confirmed_at is not None


def test_a_bad_address_is_refused_clearly_and_kept(client, place):
    url = reverse("follows:follow") + f"?kelurahan={place.kelurahan.pk}"
    answer = client.post(url, {"channel": "whatsapp", "destination": "12ab",
                               "frequency": "daily"})
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "Nomor WhatsApp tidak valid" in body and 'value="12ab"' in body
    assert Follow.objects.count() == 0


def test_a_radius_out_of_bounds_is_refused(client, kupang):
    answer = client.get(reverse("follows:follow") + f"?lat={POINT[0]}&lng={POINT[1]}&r=5000")
    assert answer.status_code == 400
    assert "Radius harus antara 100 m dan 3000 m" in answer.content.decode()


def test_a_signed_in_citizen_follows_at_once_and_sees_their_follows(client, place, make_user,
                                                                    now):
    me = make_user(email="saya@contoh.id")
    other = make_user(email="lain@contoh.id")
    Follow.objects.create(city=place.city, kelurahan=place.kelurahan, user=other,
                          channel="email", destination="lain@contoh.id",
                          created_at=now)
    client.force_login(me)
    client.post(reverse("follows:follow") + f"?kelurahan={place.kelurahan.pk}",
                {"channel": "email", "destination": "saya@contoh.id", "frequency": "daily"})
    mine = Follow.objects.get(user=me)
    assert mine.confirmed_at is not None and mail.outbox == []
    assert reverse("follows:mine") in client.get(reverse("citizen:mine")).content.decode()
    page = client.get(reverse("follows:mine")).content.decode()
    assert place.kelurahan.name in page and page.count("Berhenti mengikuti") == 1
    assert client.post(reverse("follows:stop", args=[Follow.objects.get(user=other).pk])
                       ).status_code == 404
    client.post(reverse("follows:stop", args=[mine.pk]))
    assert not Follow.objects.filter(user=me).exists()


def test_one_click_unsubscribe_stops_the_follow(place, now):
    from django.test import Client

    row = confirmed(place, now=now)
    path = reverse("follows:unsubscribe", args=[services.unsubscribe_token(row)])
    strict = Client(enforce_csrf_checks=True)
    assert strict.get(path).status_code == 200 and Follow.objects.exists()
    assert strict.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Follow.objects.exists()
    assert strict.post(path).status_code == 200  # twice: still fine


def test_visitors_follow_requests_are_rate_limited(client, place, settings):
    settings.SIGAP_FOLLOWS_PER_ADDRESS = ["2/10min"]
    url = reverse("follows:follow") + f"?kelurahan={place.kelurahan.pk}"
    codes = [client.post(url, {"channel": "email", "destination": f"w{n}@contoh.id",
                               "frequency": "instant"}).status_code for n in range(3)]
    assert codes == [302, 302, 429]


def test_the_feeds_list_the_places_public_reports_only(client, place, make_report, now):
    public = new_report(make_report, now)
    secret = new_report(make_report, now, is_public=False)
    for kind in ("rss", "atom"):
        answer = client.get(reverse(f"follows:{kind}") + f"?kelurahan={place.kelurahan.pk}")
        body = answer.content.decode()
        assert answer.status_code == 200
        assert public.ticket in body and secret.ticket not in body
        assert "Yohanes" not in body and "depan rumah" not in body
    circle = client.get(reverse("follows:rss") + f"?lat={POINT[0]}&lng={POINT[1]}&r=200")
    assert public.ticket in circle.content.decode()
    far = client.get(reverse("follows:rss") + f"?lat={POINT[0]}&lng={POINT[1] + 0.02}&r=500")
    assert public.ticket not in far.content.decode()
    assert client.get(reverse("follows:rss") + "?kelurahan=999999").status_code == 404


def test_the_pages_link_the_follow_page_and_its_feeds(client, place, make_report, now):
    report = new_report(make_report, now)
    track = client.get(report.get_absolute_url()).content.decode()
    assert "Ikuti daerah ini" in track and f"kelurahan={place.kelurahan.pk}" in track
    assert 'rel="alternate" type="application/rss+xml"' in track
    city_page = client.get(reverse("citizen:reports")).content.decode()
    assert 'id="follow-area"' in city_page
    follow_page = client.get(reverse("follows:follow") + f"?kelurahan={place.kelurahan.pk}")
    body = follow_page.content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in body
    assert report.ticket not in body or report.category.name in body


SUBSCRIPTION = ('{"endpoint": "https://push.example.net/abc", '
                '"keys": {"p256dh": "BPkey", "auth": "authkey"}}')


def test_a_browser_follows_by_web_push_through_the_one_push_sender(
        client, place, make_report, now, monkeypatch):
    import json

    from sigap.duty import push

    pushed = []
    monkeypatch.setattr(push, "_webpush", lambda sub, payload: pushed.append(
        (sub.endpoint, json.loads(payload))))
    url = reverse("follows:follow") + f"?kelurahan={place.kelurahan.pk}"
    client.post(url, {"channel": "push", "destination": SUBSCRIPTION, "frequency": "instant"})
    row = Follow.objects.get()
    assert row.confirmed_at is not None  # the browser's own subscription is the proof
    report = new_report(make_report, now)
    outbox.drain(now=now)
    services.send_due(now + timedelta(minutes=11))
    assert [endpoint for endpoint, _ in pushed] == ["https://push.example.net/abc"]
    payload = pushed[0][1]
    assert payload["url"].endswith(report.get_absolute_url())
    assert "Yohanes" not in json.dumps(payload)


def test_a_gone_push_subscription_fails_the_message_not_the_worker(
        place, make_report, now, monkeypatch):
    from sigap.duty import push

    def gone(sub, payload):
        raise push._Gone()

    monkeypatch.setattr(push, "_webpush", gone)
    confirmed(place, channel="push", destination=SUBSCRIPTION, now=now)
    new_report(make_report, now)
    outbox.drain(now=now)
    assert list(services.send_due(now + timedelta(minutes=11)).values()) == ["claimed"]
    assert "gone" in FollowMessage.objects.get().last_error


def test_the_message_is_in_the_followers_language(place, make_report, now):
    row = confirmed(place, now=now)
    Follow.objects.filter(pk=row.pk).update(language="en")
    new_report(make_report, now)
    outbox.drain(now=now)
    services.send_due(now + timedelta(minutes=11))
    message = mail.outbox[0]
    assert message.subject.startswith("Sigap: 1 update in Kelurahan")
    assert "New report" in message.body and "Stop following this place" in message.body


@pytest.mark.parametrize("query", ["lat=nan&lng=nan&r=500", "lat=-10.17&lng=123.6&r=1e309",
                                   "kelurahan=99999999999999999999999", "kelurahan=²",
                                   "lat=inf&lng=123.6", "lat=-10.17&lng=123.6&r=abc"])
def test_hostile_places_are_refused_not_crashed(client, kupang, query):
    for name in ("follows:follow", "follows:rss", "follows:atom"):
        assert client.get(reverse(name) + "?" + query).status_code in (400, 404)


def test_a_whatsapp_message_keeps_its_unsubscribe_link(place, make_report, now, monkeypatch):
    from sigap.notifications import channels

    sent = []
    monkeypatch.setattr(channels, "send_webhook",
                        lambda channel, to, text, **kw: sent.append((channel, to, text)))
    confirmed(place, channel="whatsapp", destination="+6281234567890", now=now)
    report = new_report(make_report, now)
    outbox.drain(now=now)
    services.send_due(now + timedelta(minutes=11))
    channel, to, text = sent[0]
    assert (channel, to) == ("whatsapp", "+6281234567890")
    chat = text.split("\n--")[0]  # what the WhatsApp sender keeps of a text (no footer)
    assert report.ticket in chat and "/ikuti/berhenti/" in chat
