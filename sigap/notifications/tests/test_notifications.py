"""Who hears of what, in which channel and language; delivery state, retries, unsubscribe."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from sigap.notifications import channels, services
from sigap.notifications.models import Notification
from sigap.reports import services as reports


@pytest.fixture
def sent(monkeypatch):
    """Record SMS/WhatsApp messages handed to the webhook gateway."""
    calls = []
    monkeypatch.setattr(channels, "send_webhook",
                        lambda channel, to, text, **kw: calls.append((channel, to, text)))
    return calls


@pytest.fixture
def desk(make_user):
    return make_user("dispatcher", agency="DLHK")


@pytest.mark.django_db
def test_it_tells_the_reporter_and_followers_in_their_channel_and_language(
        make_user, make_report, desk, committed, mailoutbox, sent, now):
    reporter = make_user("citizen", email="warga@contoh.id", language="en")
    fan = make_user("citizen", phone="081200000001", notify_channel="whatsapp")
    quiet = make_user("citizen", email="diam@contoh.id", notify_channel="none")
    report = make_report(reporter=reporter)
    for user in (fan, quiet, desk):
        reports.follow(report.pk, user=user, now=now)
    committed(reports.verify, report.pk, actor=desk, now=now)

    assert [m.to for m in mailoutbox] == [["warga@contoh.id"]]
    mail = mailoutbox[0]
    assert report.ticket in mail.subject
    assert "/notifikasi/berhenti/" in mail.body
    assert "/notifikasi/berhenti/" in mail.alternatives[0][0]
    assert [(c, to) for c, to, _ in sent] == [("whatsapp", "081200000001")]
    assert set(Notification.objects.values_list("recipient", "state")) == {
        (f"u:{reporter.pk}", "sent"), (f"u:{fan.pk}", "sent")}


@pytest.mark.django_db
def test_it_renders_in_the_recipients_language(make_user, make_report, desk, committed,
                                               mailoutbox, now):
    english = make_user("citizen", email="en@contoh.id", language="en")
    indonesian = make_user("citizen", email="id@contoh.id", language="id")
    a, b = make_report(reporter=english), make_report(reporter=indonesian)
    committed(reports.reject, a.pk, actor=desk, now=now, reason="spam")
    committed(reports.reject, b.pk, actor=desk, now=now, reason="spam")
    by_to = {m.to[0]: m for m in mailoutbox}
    # Category names are data in both languages; the whole message is rendered in one.
    assert "(Garbage / waste)" in by_to["en@contoh.id"].body
    assert "(Sampah)" in by_to["id@contoh.id"].body
    assert '<html lang="en">' in by_to["en@contoh.id"].alternatives[0][0]
    assert '<html lang="id">' in by_to["id@contoh.id"].alternatives[0][0]


@pytest.mark.django_db
def test_it_tells_an_anonymous_reporter_at_the_contact_address(
        make_report, desk, committed, mailoutbox, sent, now):
    by_mail = make_report(is_anonymous=True,
                          contact=reports.Contact(email="anon@contoh.id"))
    by_phone = make_report(is_anonymous=True, contact=reports.Contact(phone="081311112222"))
    committed(reports.verify, by_mail.pk, actor=desk, now=now)
    committed(reports.verify, by_phone.pk, actor=desk, now=now)
    assert [m.to for m in mailoutbox] == [["anon@contoh.id"]]
    assert by_mail.tracking_key in mailoutbox[0].body  # their private tracking link
    assert [(c, to) for c, to, _ in sent] == [("sms", "+6281311112222")]  # normalised


@pytest.mark.django_db
def test_it_keeps_internal_events_from_citizens(make_user, make_report, desk, committed,
                                                mailoutbox, now):
    reporter = make_user("citizen", email="warga@contoh.id")
    report = make_report(reporter=reporter)
    committed(reports.add_note, report.pk, actor=desk, now=now, text="Internal", public=False)
    assert mailoutbox == [] and not Notification.objects.exists()
    committed(reports.add_note, report.pk, actor=desk, now=now, text="Segera", public=True)
    assert [m.to for m in mailoutbox] == [["warga@contoh.id"]]


@pytest.mark.django_db
def test_it_tells_the_officer_of_an_assignment(make_user, make_report, desk, committed,
                                               mailoutbox, now):
    officer = make_user("officer", agency="DLHK", email="petugas@dlhk.id")
    report = make_report()
    committed(reports.assign, report.pk, actor=desk, now=now, officer=officer)
    note = Notification.objects.get(user=officer)
    assert note.purpose == "assignment" and note.state == "sent"
    assert "/office/r/" in mailoutbox[0].body


@pytest.mark.django_db
def test_it_never_sends_twice_for_the_same_event(make_user, make_report, desk, committed,
                                                 mailoutbox, now):
    reporter = make_user("citizen", email="warga@contoh.id")
    report = make_report(reporter=reporter)
    committed(reports.verify, report.pk, actor=desk, now=now)
    event = report.events.get(action="verify")
    assert services.notifications_for_event(event.pk, now=now) == []
    assert len(mailoutbox) == 1 and Notification.objects.count() == 1
    note = Notification.objects.get()
    assert services.deliver(note.pk, now=now) is None  # already sent: not claimed again
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(event=event, report=report, recipient=note.recipient,
                                    channel="email", destination="x@y.z", purpose="status",
                                    created_at=now)


@pytest.mark.django_db
def test_it_retries_with_back_off_then_gives_up(make_user, make_report, desk, committed,
                                                monkeypatch, mailoutbox, now):
    reporter = make_user("citizen", email="warga@contoh.id")
    report = make_report(reporter=reporter)

    def broken(*args, **kwargs):
        raise channels.DeliveryError("SMTP down")

    monkeypatch.setattr(channels, "send_email", broken)
    committed(reports.verify, report.pk, actor=desk, now=now)
    note = Notification.objects.get()
    assert (note.state, note.attempts, note.last_error) == ("pending", 1, "SMTP down")
    first_retry = note.next_attempt_at
    assert services.retry_due(first_retry - timedelta(seconds=1)) == []
    assert services.retry_due(first_retry) == [note.pk]
    note.refresh_from_db()
    assert note.attempts == 2 and note.next_attempt_at == first_retry + timedelta(minutes=5)
    at = note.next_attempt_at
    while note.state == "pending":
        services.retry_due(at)
        note.refresh_from_db()
        at = note.next_attempt_at or at
    assert (note.state, note.attempts) == ("failed", services.MAX_ATTEMPTS)

    monkeypatch.undo()
    Notification.objects.filter(pk=note.pk).update(state="pending", attempts=2,
                                                   next_attempt_at=now)
    assert services.deliver(note.pk, now=now) == "sent"
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_it_unsubscribes_from_the_signed_link(client, make_user, make_report, desk, committed,
                                              mailoutbox, now):
    reporter = make_user("citizen", email="warga@contoh.id")
    report = make_report(reporter=reporter)
    url = reverse("notifications:unsubscribe",
                  args=[services.unsubscribe_token(f"u:{reporter.pk}")])
    assert client.get(url).status_code == 200
    reporter.refresh_from_db()
    assert reporter.notify_channel == "email"  # a GET (link scanner) changes nothing
    assert client.post(url).status_code == 200
    reporter.refresh_from_db()
    assert reporter.notify_channel == "none"
    committed(reports.verify, report.pk, actor=desk, now=now)
    assert mailoutbox == []
    assert client.get(url[:-3] + "xx/").status_code == 404


@pytest.mark.django_db
def test_it_unsubscribes_an_anonymous_contact(client, make_report, desk, committed,
                                              mailoutbox, now):
    report = make_report(is_anonymous=True, contact=reports.Contact(email="Anon@Contoh.id"))
    client.post(reverse("notifications:unsubscribe",
                        args=[services.unsubscribe_token("e:anon@contoh.id")]))
    committed(reports.verify, report.pk, actor=desk, now=now)
    assert mailoutbox == []


def test_the_console_gateway_says_each_message_once(settings, capsys, caplog):
    """Without a gateway (make serve), an SMS is written to the server's log once, not once
    by print and again by the logger."""
    import logging

    settings.SIGAP_SMS_WEBHOOK_URL = ""
    with caplog.at_level(logging.INFO):
        channels.send_webhook("sms", "+6281200000001", "Laporan KPG-2026-000001 diterima")
    said = capsys.readouterr().out + "".join(r.getMessage() for r in caplog.records)
    assert said.count("Laporan KPG-2026-000001 diterima") == 1
