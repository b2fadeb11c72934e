"""Three updates within seconds (verified, assigned, a public note) reach the citizen as one
message naming the latest state and what changed; SMS under 160 characters with the
/r/<ticket> link; plain-text e-mail without HTML entities; links from SIGAP_SITE_URL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from sigap.notifications import channels, services
from sigap.notifications.models import Notification
from sigap.reports import services as reports

pytestmark = pytest.mark.django_db


def later(seconds):
    """The worker's clock (the outbox drain stamps notifications with the real time)."""
    return timezone.now() + timedelta(seconds=seconds)


@pytest.fixture
def texts(monkeypatch):
    calls = []
    monkeypatch.setattr(channels, "send_webhook",
                        lambda channel, to, text, **kw: calls.append((channel, to, text)))
    return calls


@pytest.fixture
def burst(make_user, make_report, committed, now, settings):
    """A traffic-light report verified, assigned and given a public note within 2 s."""
    settings.SIGAP_NOTIFY_COALESCE_SECONDS = 30
    settings.SITE_URL = "http://127.0.0.1:9000"
    sms_reporter = make_user("citizen", phone="+6281200000009", notify_channel="sms")
    mail_reporter = make_user("citizen", email="warga@contoh.id")
    desk = make_user("dispatcher", agency="DISHUB")
    officer = make_user("officer", agency="DISHUB")
    made = []
    for reporter in (sms_reporter, mail_reporter):
        report = make_report("LALIN_RUSAK", reporter=reporter)
        committed(reports.verify, report.pk, actor=desk, now=now)
        committed(reports.assign, report.pk, actor=desk, now=now + timedelta(seconds=1),
                  officer=officer)
        committed(reports.add_note, report.pk, actor=desk, now=now + timedelta(seconds=2),
                  text="Teknisi datang besok pagi.", public=True)
        made.append(report)
    return made


def test_nothing_goes_out_inside_the_window(burst, texts, mailoutbox, now):
    assert texts == [] and mailoutbox == []
    assert services.retry_due(later(20)) == []
    assert texts == [] and mailoutbox == []


def test_three_updates_in_a_window_become_one_sms_naming_the_latest_state(
        burst, texts, mailoutbox, now):
    sms_report, _mail_report = burst
    services.retry_due(later(40))
    assert len(texts) == 1
    channel, to, text = texts[0]
    assert (channel, to) == ("sms", "+6281200000009")
    assert text == (f"Sigap {sms_report.ticket}: Ditugaskan. Catatan petugas: Teknisi datang "
                    f"besok pagi.\nhttp://127.0.0.1:9000/r/{sms_report.ticket}")
    assert len(text) <= 160
    states = list(Notification.objects.filter(report=sms_report).order_by("pk")
                  .values_list("state", flat=True))
    assert states == ["coalesced", "coalesced", "sent"]
    assert not Notification.objects.filter(report=sms_report, sent_at=None).exists()


def test_the_email_tells_each_change_in_plain_text(burst, texts, mailoutbox, now):
    _sms_report, report = burst
    services.retry_due(later(40))
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == f"Laporan {report.ticket}: Ditugaskan"
    body = mail.body
    assert body.startswith(f"Laporan {report.ticket} (Lampu & rambu lalu lintas rusak) "
                           "sekarang berstatus: Ditugaskan.\n")
    assert ("Yang berubah:\n- Status: Diverifikasi\n- Status: Ditugaskan\n"
            "- Catatan petugas: Teknisi datang besok pagi.\n") in body
    assert "&amp;" not in body and "&#" not in body
    assert f"http://127.0.0.1:9000/r/{report.ticket}" in body
    assert "Lampu &amp; rambu" in mail.alternatives[0][0]  # the HTML part is escaped


def test_a_lone_update_names_its_own_state_not_a_later_one(make_user, make_report, committed,
                                                           texts, now, settings):
    settings.SIGAP_NOTIFY_COALESCE_SECONDS = 0
    reporter = make_user("citizen", phone="+6281200000008", notify_channel="sms")
    desk = make_user("dispatcher", agency="DLHK")
    report = make_report(reporter=reporter)
    committed(reports.verify, report.pk, actor=desk, now=now)
    committed(reports.assign, report.pk, actor=desk, now=now,
              officer=make_user("officer", agency="DLHK"))
    # Each message was rendered when sent; the first one says "Diverifikasi".
    assert [t.split("\n")[0] for _c, _to, t in texts] == [
        f"Sigap {report.ticket}: Diverifikasi.", f"Sigap {report.ticket}: Ditugaskan."]
    assert all(len(t) <= 160 and t.endswith(f"/r/{report.ticket}") for _c, _to, t in texts)


@pytest.mark.parametrize("args, env, expected", [
    (["PORT=9000"], {}, "http://127.0.0.1:9000"),
    (["HOST=0.0.0.0", "PORT=8123"], {}, "http://0.0.0.0:8123"),
    (["PORT=9000"], {"SIGAP_SITE_URL": "https://lapor.kupangkota.go.id"},
     "https://lapor.kupangkota.go.id"),
])
def test_make_serve_gives_the_server_and_worker_the_address_it_listens_on(args, env, expected):
    """What `make serve PORT=…`'s recipes (gunicorn and the worker) see as SIGAP_SITE_URL."""
    import os
    import shutil
    import subprocess

    from django.conf import settings as django_settings

    if shutil.which("make") is None:
        pytest.fail("make is needed to check the Makefile")
    clean = {k: v for k, v in os.environ.items() if k != "SIGAP_SITE_URL"}
    out = subprocess.run(
        ["make", "-s", "--eval", "show-site-url: ; @echo $$SIGAP_SITE_URL", "show-site-url",
         *args], cwd=django_settings.BASE_DIR, env={**clean, **env}, capture_output=True,
        text=True, check=True)
    assert out.stdout.strip() == expected
