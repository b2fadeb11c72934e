"""Issue 23, item 4: a new assignment reaches the officer's phone by web push, delivered here
to a fake push service on 127.0.0.1 (the encrypted POST is recorded and decrypted with the
subscription's keys); an officer without a subscription hears of it by WhatsApp/SMS."""

import base64
import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from sigap.duty.models import PushSubscription
from sigap.notifications.models import Notification
from sigap.reports import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(now):
    with time_machine.travel(now, tick=False):
        yield


@pytest.fixture(autouse=True)
def _vapid_key(settings, tmp_path):
    settings.SIGAP_VAPID_KEY_FILE = tmp_path / "vapid_key.pem"


@pytest.fixture
def push_service():
    """A fake push service on 127.0.0.1 that records each POST (path, headers, body)."""
    got = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            got.append((self.path, self.headers, body))  # names case-insensitive
            self.send_response(201)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", got
    server.shutdown()
    server.server_close()


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_it_pushes_a_new_assignment_to_the_officers_phone(
        make_user, make_report, committed, push_service, sent, now):
    url, got = push_service
    officer = make_user("officer", agency="DLHK", phone="081211113333",
                        notify_channel="whatsapp")
    desk = make_user("dispatcher", agency="DLHK")
    # The phone's subscription keys, as a browser's PushManager makes them.
    phone_key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    p256dh = phone_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    PushSubscription.objects.create(user=officer, endpoint=f"{url}/push/officer-1",
                                    p256dh=b64(p256dh), auth=b64(auth), created_at=now)
    report = make_report()

    committed(services.assign, report.pk, actor=desk, now=now, officer=officer)

    assert len(got) == 1
    path, headers, body = got[0]
    assert path == "/push/officer-1"
    assert headers["Content-Encoding"] == "aes128gcm"
    assert int(headers["TTL"]) == 4 * 3600  # kept for a phone out of signal, not dropped
    assert headers["Authorization"].startswith("vapid t=")
    payload = json.loads(http_ece.decrypt(body, private_key=phone_key, auth_secret=auth,
                                          version="aes128gcm"))
    assert payload["url"].endswith(f"/office/tugas/{report.ticket}/")
    assert report.ticket in payload["title"] + payload["body"]
    assignment = Notification.objects.get(purpose=Notification.Purpose.ASSIGNMENT)
    assert (assignment.user, assignment.channel, assignment.state) == (officer, "push", "sent")
    assert sent == []  # no WhatsApp when the push went through


def test_an_officer_without_a_subscription_hears_by_whatsapp(
        make_user, make_report, committed, push_service, sent, now):
    _url, got = push_service
    officer = make_user("officer", agency="DLHK", phone="081211114444",
                        notify_channel="whatsapp")
    desk = make_user("dispatcher", agency="DLHK")
    report = make_report()

    committed(services.assign, report.pk, actor=desk, now=now, officer=officer)

    assert got == []
    assignment = Notification.objects.get(purpose=Notification.Purpose.ASSIGNMENT)
    assert (assignment.channel, assignment.state) == ("whatsapp", "sent")
    assert [to for _channel, to, _text in sent] == ["081211114444"]
