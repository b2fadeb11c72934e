"""Signed webhook bodies that cannot be read: 200, kept for the administrator (issue 24,
defect 3). A refusal (400) or a 500 makes the provider resend the same body forever."""

import hashlib
import hmac
import json

import pytest

from sigap.channels.inbound import sign
from sigap.channels.models import InboundMessage, UnreadableMessage

pytestmark = pytest.mark.django_db

APP_SECRET = "test-app-secret"
SMS_SECRET = "sms-secret"
PHONE = "6281234567890"
DEEP = "[" * 5000 + "]" * 5000


def _wa(message=None, **value) -> bytes:
    value = value or {"messages": [message]}
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()


def _text(**over):
    return {
        "from": PHONE,
        "id": "wamid.1",
        "timestamp": "1767225600",
        "type": "text",
        "text": {"body": "halo"},
        **over,
    }


WHATSAPP = {
    "nul in the text": _wa(_text(text={"body": "a\x00b"})),
    "nul in the sender": _wa(_text(**{"from": "62812\x0034567890"})),
    "a sender over 32 characters": _wa(_text(**{"from": "6" * 40})),
    "a sender that is no number": _wa(_text(**{"from": "warga-kupang"})),
    "entry as a string": b'{"entry":"x"}',
    "entry as a list of strings": b'{"entry":["x"]}',
    "changes as a string": b'{"entry":[{"changes":"x"}]}',
    "messages as an object": _wa(messages={"a": 1}),
    "text as a string": _wa(_text(text="halo")),
    "a message as a string": _wa("halo"),
    "an id of 1,000 characters": _wa(_text(id="w" * 1000)),
    "not json": b"{not json",
    "deep nesting": DEEP.encode(),
    "a list": b"[1, 2]",
    "invalid utf-8": b'{"entry": "\xff\xfe"}',
}
SMS = {
    "nul in the text": {"id": "s1", "from": "081234567890", "text": "a\x00b"},
    "a sender over 32 characters": {"id": "s1", "from": "0" * 40, "text": "LAPOR x"},
    "no sender": {"id": "s1", "text": "LAPOR x"},
    "no id": {"from": "081234567890", "text": "LAPOR x"},
    "a list": ["x"],
    "deep nesting": None,
}


@pytest.fixture
def wa(settings, client, kupang):
    settings.SIGAP_WHATSAPP_TOKEN = "fake-token"
    settings.SIGAP_WHATSAPP_PHONE_ID = "1000000001"
    settings.SIGAP_WHATSAPP_APP_SECRET = APP_SECRET
    settings.SIGAP_WHATSAPP_API_URL = "http://127.0.0.1:9"  # never reached in these tests

    def post(body: bytes):
        return client.post(
            "/kanal/whatsapp/",
            body,
            content_type="application/json",
            HTTP_X_HUB_SIGNATURE_256=sign(APP_SECRET, body),
        )

    return post


@pytest.fixture
def sms(settings, client, kupang):
    settings.SIGAP_SMS_INBOUND_SECRET = SMS_SECRET

    def post(body: bytes):
        signature = hmac.new(SMS_SECRET.encode(), body, hashlib.sha256).hexdigest()
        return client.post(
            "/kanal/sms/", body, content_type="application/json", HTTP_X_SIGAP_SIGNATURE=signature
        )

    return post


@pytest.mark.parametrize("name", list(WHATSAPP))
def test_whatsapp_keeps_an_unreadable_body_and_answers_200(
    wa, name, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        response = wa(WHATSAPP[name])
    assert response.status_code == 200
    kept = UnreadableMessage.objects.get()
    assert kept.channel == "whatsapp" and kept.reason
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("name", list(SMS))
def test_sms_keeps_an_unreadable_body_and_answers_200(
    sms, name, django_capture_on_commit_callbacks
):
    body = DEEP.encode() if SMS[name] is None else json.dumps(SMS[name]).encode()
    with django_capture_on_commit_callbacks(execute=False):
        response = sms(body)
    assert response.status_code == 200
    assert UnreadableMessage.objects.get().channel == "sms"
    assert not InboundMessage.objects.exists()


def test_an_sms_timestamp_of_1e20_is_read_as_now(sms, django_capture_on_commit_callbacks):
    body = json.dumps(
        {"id": "s9", "from": "081234567890", "text": "halo", "timestamp": 1e20}
    ).encode()
    with django_capture_on_commit_callbacks(execute=False):
        assert sms(body).status_code == 200
    assert InboundMessage.objects.get().provider_id == "sms:s9"


def test_whatsapp_statuses_with_errors_as_strings_are_read(wa):
    body = _wa(
        statuses=[{"id": "wamid.OUT", "status": "failed", "timestamp": "1e20", "errors": ["boom"]}]
    )
    assert wa(body).status_code == 200
    assert not UnreadableMessage.objects.exists()


def test_a_good_message_beside_a_bad_one_is_still_taken(wa, django_capture_on_commit_callbacks):
    body = _wa(messages=[_text(id="wamid.bad", text="x"), _text(id="wamid.good")])
    with django_capture_on_commit_callbacks(execute=False):
        assert wa(body).status_code == 200
    assert InboundMessage.objects.get().provider_id == "whatsapp:wamid.good"
    assert UnreadableMessage.objects.get().reason == "a text message without a text object"


def test_the_administrator_sees_them_in_the_admin(wa, client, make_user):
    wa(b'{"entry":"x"}')
    admin = make_user("admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/channels/unreadablemessage/")
    assert page.status_code == 200 and "entry is not a list" in page.content.decode()
    kept = UnreadableMessage.objects.get()
    detail = client.get(f"/admin/channels/unreadablemessage/{kept.pk}/change/")
    assert (
        detail.status_code == 200 and "{&quot;entry&quot;:&quot;x&quot;}" in detail.content.decode()
    )


def test_a_bad_signature_is_still_refused(settings, client, kupang):
    settings.SIGAP_SMS_INBOUND_SECRET = SMS_SECRET
    response = client.post(
        "/kanal/sms/", b"[]", content_type="application/json", HTTP_X_SIGAP_SIGNATURE="nope"
    )
    assert response.status_code == 401 and not UnreadableMessage.objects.exists()
