import os

import pytest

from sigap.channels.fake import FakeCloudAPI

APP_SECRET = "test-app-secret"
TOKEN = "fake-token"


def _port() -> int:
    # Ports from SIGAP_CHANNELS_TEST_PORT (default 8710), five per test process.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(os.environ.get("SIGAP_CHANNELS_TEST_PORT", "8710")) + int(worker[2:] or 0) * 5


@pytest.fixture
def wa_settings(settings):
    settings.SIGAP_WHATSAPP_TOKEN = TOKEN
    settings.SIGAP_WHATSAPP_PHONE_ID = "1000000001"
    settings.SIGAP_WHATSAPP_APP_SECRET = APP_SECRET
    settings.SIGAP_WHATSAPP_VERIFY_TOKEN = "verify-me"
    settings.SITE_URL = "https://sigap.kupangkota.go.id"
    return settings


@pytest.fixture
def fake_wa(wa_settings, client, django_capture_on_commit_callbacks, kupang):
    """The fake Cloud API on 127.0.0.1, delivering webhooks to Sigap through the test client
    and running the worker's tasks (immediate mode) after each commit."""
    def deliver(body: bytes, signature: str) -> int:
        headers = {"HTTP_X_HUB_SIGNATURE_256": signature} if signature else {}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/kanal/whatsapp/", body, content_type="application/json",
                                   **headers)
        return response.status_code

    fake = start_fake(deliver, wa_settings)
    yield fake
    fake.stop()
    from sigap.channels import outbound

    outbound.close_clients()  # no kept-alive connection to this fake reaches the next one


def start_fake(deliver, wa_settings) -> FakeCloudAPI:
    """Start the fake Cloud API on the first free port of this run's range, and point the
    product at it."""
    fake = None
    for attempt in range(5):
        try:
            fake = FakeCloudAPI(app_secret=APP_SECRET, token=TOKEN, port=_port() + attempt,
                                deliver=deliver)
            break
        except OSError:
            continue
    fake.start()
    wa_settings.SIGAP_WHATSAPP_API_URL = fake.url
    return fake
