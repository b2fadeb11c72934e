"""Reports by SMS: the one-message format and the guided exchange."""

import hashlib
import hmac
import itertools
import json

import pytest

from sigap.channels.models import OutboundMessage
from sigap.reports.models import Report

SECRET = "sms-secret"
_ids = itertools.count(1)


@pytest.fixture
def sms(settings, client, django_capture_on_commit_callbacks, kupang, monkeypatch):
    """send(text) posts a signed gateway webhook and returns the SMS replies sent since."""
    settings.SIGAP_SMS_INBOUND_SECRET = SECRET
    settings.SITE_URL = "https://sigap.kupangkota.go.id"
    replies = []
    from sigap.notifications import channels

    monkeypatch.setattr(channels, "send_webhook",
                        lambda channel, to, text, **kw: replies.append((channel, to, text)))

    def send(text, phone="081234567890", signature=None):
        body = json.dumps({"id": f"sms-{next(_ids)}", "from": phone, "text": text}).encode()
        if signature is None:
            signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        before = len(replies)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/kanal/sms/", body, content_type="application/json",
                                   HTTP_X_SIGAP_SIGNATURE=signature)
        send.status = response.status_code
        return [text for _c, _to, text in replies[before:]]

    return send


def test_it_takes_a_report_in_one_message(sms):
    [reply] = sms("LAPOR pohon tumbang Oebobo: pohon besar menutup jalan")
    report = Report.objects.get()
    assert (report.category.code, report.source, report.kelurahan.name) == (
        "POHON_TUMBANG", "sms", "Oebobo")
    assert report.description == "pohon besar menutup jalan"
    assert report.contact_phone == "+6281234567890" and report.is_anonymous
    assert report.ticket in reply and f"/r/{report.ticket}" in reply and len(reply) <= 160


def test_it_forgives_spelling_and_case(sms):
    sms("lapor SAMPA kel oebobo: numpuk di got")
    [reply] = sms("2")  # the required question, answered by its number
    report = Report.objects.get()
    assert report.category.code == "SAMPAH" and report.answers == {"volume": "sedang"}
    assert len(reply) <= 160


def test_it_guides_an_incomplete_message(sms):
    [ask] = sms("LAPOR")
    assert "Masalah apa?" in ask and len(ask) <= 160
    [ask] = sms("jalan rusak")
    assert "kelurahan" in ask.lower()
    [ask] = sms("oebobo")
    assert "Ceritakan" in ask
    [done] = sms("lubang besar di depan sekolah")
    report = Report.objects.get()
    assert report.category.code == "JALAN_RUSAK" and report.kelurahan.name == "Oebobo"
    assert report.ticket in done and len(done) <= 160


def test_it_says_when_a_place_is_unknown(sms):
    sms("LAPOR sampah")
    [reply] = sms("Atlantis")
    assert "tidak ditemukan" in reply and len(reply) <= 160
    assert not Report.objects.exists()


def test_it_refuses_a_bad_signature(sms):
    assert sms("LAPOR sampah oebobo: x", signature="00" * 32) == []
    assert sms.status == 401
    assert not Report.objects.exists() and not OutboundMessage.objects.exists()


def test_every_reply_fits_one_sms(sms):
    replies = sms("LAPOR") + sms("kebakaran") + sms("oebobo") + sms("api besar") + sms("1")
    assert replies and all(len(r) <= 160 for r in replies)
    assert Report.objects.get().answers == {"korban": "ya"}
