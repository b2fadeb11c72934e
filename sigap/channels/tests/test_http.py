"""Over real HTTP: the fake Cloud API posts its webhooks to Sigap's live server (a thread
on 127.0.0.1) and Sigap's answers reach the fake over HTTP, as in production."""

import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from sigap.channels.tests.conftest import start_fake
from sigap.reports import services
from sigap.reports.models import Report

PHONE = "6281234500077"


@pytest.fixture
def fake_http(live_server, wa_settings, kupang):
    def deliver(body: bytes, signature: str) -> int:
        request = urllib.request.Request(
            f"{live_server.url}/kanal/whatsapp/", data=body, method="POST",
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    fake = start_fake(deliver, wa_settings)
    yield fake
    fake.stop()
    from sigap.channels import outbound

    outbound.close_clients()


@pytest.mark.django_db(transaction=True)
def test_belum_beres_reopens_the_report_end_to_end(fake_http, make_user, photo, client):
    fake = fake_http
    for step in (lambda: fake.text(PHONE, "sampah"), lambda: fake.tap(PHONE, "skip"),
                 lambda: fake.location(PHONE, -10.17, 123.60),
                 lambda: fake.text(PHONE, "Sampah menumpuk di got"),
                 lambda: fake.tap(PHONE, "ans:kecil"), lambda: fake.tap(PHONE, "anon:yes"),
                 lambda: fake.tap(PHONE, "ok:send")):
        status, _id = step()
        assert status == 200
    report = Report.objects.get(contact_phone="+" + PHONE)
    assert report.ticket in fake.texts_to(PHONE)[-1]

    dispatcher = make_user("dispatcher", agency="DLHK")
    officer = make_user("officer", agency="DLHK")
    now = timezone.now()
    services.verify(report.pk, actor=dispatcher, now=now)
    services.assign(report.pk, actor=dispatcher, now=now, officer=officer)
    services.start(report.pk, actor=officer, now=now)
    services.resolve(report.pk, actor=officer, now=now, note="Sudah diangkut", photos=[photo()])
    resolved = fake.sent_to(PHONE)[-1]
    assert "Sudah beres?" in resolved["text"]
    assert [b["id"] for b in resolved["buttons"]] == [f"fix:yes:{report.ticket}",
                                                      f"fix:no:{report.ticket}"]

    status, _id = fake.tap(PHONE, f"fix:no:{report.ticket}")  # over HTTP, to the live server
    assert status == 200 and "Apa yang belum beres?" in fake.texts_to(PHONE)[-1]
    before = len(fake.sent_to(PHONE))
    fake.text(PHONE, "Masih ada sisa sampah di got")
    report.refresh_from_db()
    assert report.status == "reopened"
    assert report.events.filter(new="reopened").get().note == "Masih ada sisa sampah di got"
    out = fake.texts_to(PHONE)[before:]
    assert any(f"Laporan {report.ticket} kami buka lagi" in t for t in out)

    # The dispatcher's inbox lists it among the reopened reports.
    client.force_login(dispatcher)
    page = client.get("/office/", {"status": "reopened"})
    assert page.status_code == 200 and report.ticket in page.content.decode()
    assert report.ticket not in client.get("/office/", {"status": "closed"}).content.decode()
