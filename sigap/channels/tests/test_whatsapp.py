"""Complete WhatsApp conversations through the local fake Cloud API (tests/conftest.py)."""

import io
import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from conftest import jpeg_bytes
from sigap.channels import tasks
from sigap.channels.models import BlockedNumber, Conversation, InboundMessage, OutboundMessage
from sigap.reports import services
from sigap.reports.models import Report

PHONE = "6281234500001"
OEBOBO = (-10.17, 123.60)
OUTSIDE = (-10.10, 123.58)


def last(fake, phone=PHONE):
    return fake.sent_to(phone)[-1]


def report_of(phone=PHONE):
    return Report.objects.get(contact_phone="+" + phone)


def test_it_takes_a_report_with_a_pin_and_a_photo(fake_wa):
    fake_wa.text(PHONE, "halo")
    greeting = fake_wa.texts_to(PHONE)[0]
    assert "113" in greeting and "112" in greeting  # the emergency numbers come first
    fake_wa.tap(PHONE, "grp:0")
    fake_wa.tap(PHONE, "cat:SAMPAH")
    fake_wa.image(PHONE, jpeg_bytes(exif_gps=True), caption="")
    assert "Foto 1/3 diterima" in last(fake_wa)["text"]
    fake_wa.tap(PHONE, "skip")
    fake_wa.location(PHONE, *OEBOBO, name="Pasar Oebobo")
    assert "Oebobo" in fake_wa.texts_to(PHONE)[-2]
    fake_wa.text(PHONE, "Sampah menumpuk di got depan pasar")
    assert [b["id"] for b in last(fake_wa)["buttons"]] == ["ans:kecil", "ans:sedang", "ans:besar"]
    fake_wa.tap(PHONE, "ans:sedang")
    fake_wa.tap(PHONE, "anon:no")
    fake_wa.text(PHONE, "Maria Lado")
    summary = last(fake_wa)["text"]
    assert "Sampah" in summary and "Maria Lado" in summary and "Foto: 1" in summary
    assert Report.objects.count() == 0
    fake_wa.tap(PHONE, "ok:send")

    report = report_of()
    assert (report.category.code, report.source, report.contact_name) == (
        "SAMPAH", "whatsapp", "Maria Lado")
    assert report.answers == {"volume": "sedang"}
    assert (report.lat, report.lng) == OEBOBO and report.kelurahan.name == "Oebobo"
    assert report.description == "Sampah menumpuk di got depan pasar"
    assert not report.is_anonymous
    photo = report.photos.get()
    with photo.image.open("rb") as fh:
        assert not Image.open(io.BytesIO(fh.read())).getexif()  # EXIF (and GPS) stripped
    done = last(fake_wa)["text"]
    assert report.ticket in done
    assert f"https://sigap.kupangkota.go.id/r/{report.ticket}?k={report.tracking_key}" in done
    conv = Conversation.objects.get(phone=PHONE)
    assert conv.draft == {} and conv.reports_created == 1
    assert not OutboundMessage.objects.filter(state="queued").exists()


def test_it_matches_a_typed_kelurahan_and_confirms_it_back(fake_wa):
    fake_wa.text(PHONE, "mau lapor SAMPA")  # misspelt: still the garbage category
    assert "Sampah" in fake_wa.texts_to(PHONE)[1]
    fake_wa.tap(PHONE, "skip")
    fake_wa.text(PHONE, "kel. oebobo")
    assert "Kelurahan Oebobo, Kecamatan Oebobo" in last(fake_wa)["text"]
    fake_wa.tap(PHONE, "place:yes")
    fake_wa.text(PHONE, "Sampah di pinggir jalan")
    fake_wa.text(PHONE, "banyak")  # the choice typed instead of tapped
    fake_wa.tap(PHONE, "anon:yes")
    fake_wa.tap(PHONE, "ok:send")
    report = report_of()
    assert report.kelurahan.name == "Oebobo" and report.is_anonymous
    assert report.address == "kel. oebobo" and report.answers == {"volume": "besar"}
    assert report.contact_name == "" and report.photos.count() == 0


def test_it_refuses_a_place_outside_the_city_and_takes_the_next(fake_wa):
    fake_wa.text(PHONE, "pohon tumbang")
    fake_wa.tap(PHONE, "skip")
    fake_wa.location(PHONE, *OUTSIDE)
    assert "di luar wilayah Kota Kupang" in last(fake_wa)["text"]
    fake_wa.location(PHONE, -10.1716, 123.6711, name="Bandara El Tari")
    fake_wa.text(PHONE, "Pohon tumbang menutup jalan")
    fake_wa.tap(PHONE, "anon:yes")
    fake_wa.tap(PHONE, "ok:send")
    report = report_of()
    assert report.category.code == "POHON_TUMBANG" and report.kelurahan.name == "Penfui"
    assert report.address == "Bandara El Tari"


def test_it_refuses_a_file_that_is_not_a_photo(fake_wa):
    fake_wa.text(PHONE, "sampah")
    fake_wa.document(PHONE, b"%PDF-1.4 not a photo")
    assert "bukan foto" in last(fake_wa)["text"]
    fake_wa.image(PHONE, b"GIF89a but broken", mime="image/jpeg")  # says image, is not
    assert "bukan foto" in fake_wa.texts_to(PHONE)[-2]
    fake_wa.location(PHONE, *OEBOBO)
    fake_wa.text(PHONE, "Sampah di got")
    fake_wa.tap(PHONE, "ans:kecil")
    fake_wa.tap(PHONE, "anon:yes")
    fake_wa.tap(PHONE, "ok:send")
    assert report_of().photos.count() == 0


def test_it_warns_first_on_an_emergency_category(fake_wa):
    fake_wa.text(PHONE, "halo")
    fake_wa.tap(PHONE, "grp:5")  # Darurat: one category, chosen at once
    warning = fake_wa.texts_to(PHONE)[2]
    assert warning.startswith("DARURAT") and "113" in warning
    fake_wa.tap(PHONE, "skip")
    fake_wa.location(PHONE, *OEBOBO)
    fake_wa.text(PHONE, "Rumah terbakar")
    fake_wa.tap(PHONE, "ans:ya")
    fake_wa.tap(PHONE, "anon:yes")
    fake_wa.tap(PHONE, "ok:send")
    report = report_of()
    assert report.category.code == "KEBAKARAN" and report.priority == 1
    assert report.answers == {"korban": "ya"} and report.agency.code == "DAMKAR"


def test_it_cancels_with_batal(fake_wa):
    fake_wa.text(PHONE, "sampah")
    fake_wa.image(PHONE, jpeg_bytes())
    fake_wa.text(PHONE, "BATAL")
    assert "dibatalkan" in last(fake_wa)["text"]
    assert Conversation.objects.get(phone=PHONE).draft == {}
    assert Report.objects.count() == 0


def test_it_offers_an_idle_draft_back(fake_wa):
    start = timezone.now()
    fake_wa.text(PHONE, "sampah")
    fake_wa.tap(PHONE, "skip")
    fake_wa.location(PHONE, *OEBOBO)
    with time_machine.travel(start + timedelta(minutes=45), tick=True):
        fake_wa.text(PHONE, "halo lagi")
        offer = last(fake_wa)
        assert "belum selesai" in offer["text"]
        fake_wa.tap(PHONE, "resume:yes")
        assert "Ceritakan singkat" in last(fake_wa)["text"]  # back where it was
        fake_wa.text(PHONE, "Sampah di got")
        fake_wa.tap(PHONE, "ans:kecil")
        fake_wa.tap(PHONE, "anon:yes")
        fake_wa.tap(PHONE, "ok:send")
    assert report_of().kelurahan.name == "Oebobo"


def test_it_answers_a_status_query(fake_wa, make_report):
    report = make_report()
    fake_wa.text(PHONE, f"status {report.ticket.lower()}")
    answer = last(fake_wa)["text"]
    assert report.ticket in answer and "Diterima" in answer or "Menunggu" in answer
    assert f"/r/{report.ticket}" in answer and "?k=" not in answer  # not the reporter
    fake_wa.text(PHONE, "status KPG-2026-999999")
    assert "tidak kami temukan" in last(fake_wa)["text"]


def test_it_offers_support_for_the_same_problem_nearby(fake_wa, make_report):
    existing = make_report(lat=-10.1701, lng=123.6001, description="Sampah di got")
    fake_wa.text(PHONE, "sampah")
    fake_wa.tap(PHONE, "skip")
    fake_wa.location(PHONE, *OEBOBO)
    assert existing.ticket in last(fake_wa)["text"]
    fake_wa.tap(PHONE, "near:yes")
    existing.refresh_from_db()
    assert existing.support_count == 1 and Report.objects.count() == 1
    assert "dukungan" in last(fake_wa)["text"]


def _walk_to_confirm(fake):
    fake.text(PHONE, "sampah")
    fake.tap(PHONE, "skip")
    fake.location(PHONE, *OEBOBO)
    fake.text(PHONE, "Sampah di got")
    fake.tap(PHONE, "ans:kecil")
    fake.tap(PHONE, "anon:yes")


def test_five_replays_of_a_webhook_make_one_report(fake_wa):
    _walk_to_confirm(fake_wa)
    status, message_id = fake_wa.tap(PHONE, "ok:send")
    sent_before = len(fake_wa.sent)
    for _ in range(4):
        assert fake_wa.send(PHONE, "interactive", {"type": "button_reply", "button_reply": {
            "id": "ok:send", "title": "Kirim"}}, message_id=message_id)[0] == 200
    assert Report.objects.count() == 1
    assert len(fake_wa.sent) == sent_before  # and no second answer
    assert InboundMessage.objects.filter(provider_id=f"whatsapp:{message_id}").count() == 1


@pytest.mark.parametrize("signature", ["", "sha256=" + "0" * 64, "deadbeef"])
def test_it_refuses_a_bad_or_missing_signature(fake_wa, signature):
    message = {"from": PHONE, "id": "wamid.X", "timestamp": "1", "type": "text",
               "text": {"body": "halo"}}
    assert fake_wa.post(fake_wa.envelope(PHONE, message), signature=signature) == 401
    assert not InboundMessage.objects.exists() and not Conversation.objects.exists()
    assert fake_wa.sent == []


def test_it_answers_the_verification_handshake(fake_wa, client):
    ok = client.get("/kanal/whatsapp/", {"hub.mode": "subscribe", "hub.verify_token":
                                         "verify-me", "hub.challenge": "12345"})
    assert ok.status_code == 200 and ok.content == b"12345"
    bad = client.get("/kanal/whatsapp/", {"hub.mode": "subscribe", "hub.verify_token": "x",
                                          "hub.challenge": "12345"})
    assert bad.status_code == 403


def test_it_is_off_when_not_configured(client, db):
    assert client.get("/kanal/whatsapp/").status_code == 404
    assert client.post("/kanal/sms/", b"{}", content_type="application/json").status_code == 404


def test_a_failed_media_download_is_retried_without_losing_the_conversation(
        fake_wa, django_capture_on_commit_callbacks):
    fake_wa.text(PHONE, "sampah")
    fake_wa.failing_downloads = 1000  # the media endpoint is down for now
    fake_wa.image(PHONE, jpeg_bytes())
    fake_wa.location(PHONE, *OEBOBO)  # sent meanwhile: waits behind the photo, in order
    pending = InboundMessage.objects.filter(state="pending")
    assert pending.count() == 2 and pending.first().attempts >= 1
    assert Conversation.objects.get(phone=PHONE).draft["step"] == "photo"
    fake_wa.failing_downloads = 0
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.sweep(timezone.now() + timedelta(minutes=2)) == 1
    assert not InboundMessage.objects.filter(state="pending").exists()
    texts = fake_wa.texts_to(PHONE)
    assert any("Foto 1/3 diterima" in t for t in texts) and "Oebobo" in " ".join(texts[-3:])
    fake_wa.text(PHONE, "Sampah di got")
    fake_wa.tap(PHONE, "ans:kecil")
    fake_wa.tap(PHONE, "anon:yes")
    fake_wa.tap(PHONE, "ok:send")
    assert report_of().photos.count() == 1


def test_it_speaks_english_on_request(fake_wa):
    fake_wa.text(PHONE, "halo")
    fake_wa.text(PHONE, "english")
    assert Conversation.objects.get(phone=PHONE).language == "en"
    assert "What problem" in last(fake_wa)["text"]


def test_blocked_numbers_and_the_rate_limit(fake_wa, settings):
    BlockedNumber.objects.create(phone="+" + PHONE, reason="spam")
    fake_wa.text(PHONE, "halo")
    assert fake_wa.sent == [] and InboundMessage.objects.get().state == "blocked"
    settings.SIGAP_CHANNELS_MAX_PER_HOUR = 3
    other = "6281234500002"
    for _ in range(5):
        fake_wa.text(other, "halo")
    states = list(InboundMessage.objects.filter(conversation__phone=other)
                  .values_list("state", flat=True))
    assert states == ["done"] * 3 + ["limited"] * 2


def test_no_message_content_reaches_the_logs(fake_wa, caplog):
    caplog.set_level(logging.DEBUG)
    fake_wa.text(PHONE, "rahasia-pribadi sampah")
    fake_wa.failing_downloads = 1000
    fake_wa.image(PHONE, jpeg_bytes(), caption="keterangan-pribadi")
    fake_wa.post(fake_wa.envelope(PHONE, {"from": PHONE, "id": "z", "timestamp": "1",
                                          "type": "text", "text": {"body": "isi-palsu"}}),
                 signature="sha256=bad")
    assert fake_wa.sent  # it did answer
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for secret in ("rahasia-pribadi", "keterangan-pribadi", "isi-palsu", "Halo!"):
        assert secret not in logged


def test_status_changes_come_back_on_the_chat_with_confirm_buttons(
        fake_wa, make_user, photo, django_capture_on_commit_callbacks):
    _walk_to_confirm(fake_wa)
    fake_wa.tap(PHONE, "ok:send")
    report = report_of()
    dispatcher = make_user("dispatcher", agency="DLHK")
    officer = make_user("officer", agency="DLHK")
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        services.verify(report.pk, actor=dispatcher, now=now)
    update = last(fake_wa)
    assert report.ticket in update["text"] and update["type"] == "text"
    message = OutboundMessage.objects.get(provider_id=update["id"])
    assert message.notification is not None and message.state == "sent"
    fake_wa.status(update["id"], "delivered", PHONE)
    fake_wa.status(update["id"], "read", PHONE)
    fake_wa.status(update["id"], "delivered", PHONE)  # late and out of order: ignored
    message.refresh_from_db()
    assert message.state == "read"

    with django_capture_on_commit_callbacks(execute=True):
        services.assign(report.pk, actor=dispatcher, now=now, officer=officer)
        services.start(report.pk, actor=officer, now=now)
        services.resolve(report.pk, actor=officer, now=now, note="Sudah diangkut",
                         photos=[photo()])
    resolved = last(fake_wa)
    assert "Sudah beres?" in resolved["text"]
    fake_wa.tap(PHONE, f"fix:yes:{report.ticket}")
    report.refresh_from_db()
    assert report.status == "closed"


def test_outside_the_service_window_it_sends_the_approved_template(
        fake_wa, make_user, django_capture_on_commit_callbacks):
    _walk_to_confirm(fake_wa)
    fake_wa.tap(PHONE, "ok:send")
    report = report_of()
    Conversation.objects.filter(phone=PHONE).update(
        last_inbound_at=timezone.now() - timedelta(hours=30))
    dispatcher = make_user("dispatcher", agency="DLHK")
    with django_capture_on_commit_callbacks(execute=True):
        services.verify(report.pk, actor=dispatcher, now=timezone.now())
    update = last(fake_wa)
    assert update["type"] == "template" and update["template"] == "sigap_status_update"
    assert report.ticket in update["text"]
    fake_wa.status(update["id"], "failed", PHONE)
    message = OutboundMessage.objects.get(provider_id=update["id"])
    assert message.state == "failed" and "131047" in message.notification.last_error
