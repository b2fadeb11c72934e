"""The web form's limits, designed for shared addresses (CGNAT), and its idempotency key."""

import json
from datetime import timedelta

import pytest
import time_machine
from conftest import Client

from conftest import NOW
from sigap.reports.models import Report

URL = "/lapor/"
JSON = {"HTTP_ACCEPT": "application/json"}
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings):
    import uuid

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": uuid.uuid4().hex}}


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def phone():
    """A browser that was shown the form (and so has a device in its session)."""
    client = Client()
    assert client.get(URL).status_code == 200
    return client


def key(name):
    return name.ljust(32, "0")[:32]


def post(client, form_data, name, **extra):
    return client.post(URL, form_data(key=key(name), **extra), **JSON)


def test_it_limits_one_device_and_keeps_replays_free(kupang, form_data, settings, clock):
    settings.SIGAP_WEB_REPORTS_PER_DEVICE = ["3/hour"]
    hp = phone()
    codes = [post(hp, form_data, f"key-{i}", description=f"Lubang nomor {i}").status_code
             for i in range(4)]
    assert codes == [200, 200, 200, 429] and Report.objects.count() == 3
    refused = post(hp, form_data, "key-3", description="Lubang nomor 3")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["errors"]["limit"]
    # A retry of a stored report is a replay: answered, not counted, not refused.
    again = post(hp, form_data, "key-0", description="Lubang nomor 0")
    assert again.status_code == 200 and again.json()["replayed"] is True
    # The outbox's later retry of the refused report goes through once the window opens.
    clock.shift(timedelta(hours=1))
    later = post(hp, form_data, "key-3", description="Lubang nomor 3")
    assert later.status_code == 200 and Report.objects.count() == 4


def test_many_phones_behind_one_address_are_not_limited_together(kupang, form_data, settings):
    settings.SIGAP_WEB_REPORTS_PER_DEVICE = ["2/hour"]
    codes = [post(phone(), form_data, f"k{i}", description=f"Lampu mati di gang {i}")
             .status_code for i in range(12)]
    assert codes == [200] * 12


def test_the_address_has_a_ceiling(kupang, form_data, settings):
    settings.SIGAP_WEB_REPORTS_PER_ADDRESS = ["5/min"]
    codes = [post(phone(), form_data, f"k{i}", description=f"Lampu mati di gang {i}")
             .status_code for i in range(6)]
    assert codes == [200] * 5 + [429]
    # Another address is served.
    other = Client(REMOTE_ADDR="198.51.100.3")
    other.get(URL)
    assert post(other, form_data, "x", description="Lampu mati").status_code == 200


def test_a_script_without_cookies_gets_one_devices_limit(kupang, form_data, settings):
    settings.SIGAP_WEB_REPORTS_PER_DEVICE = ["3/hour"]
    codes = []
    for i in range(5):
        bot = Client()  # never shown the form, no session
        codes.append(post(bot, form_data, f"k{i}", description=f"Spam {i}").status_code)
    assert codes == [200, 200, 200, 429, 429]


def test_the_same_long_text_from_many_devices_is_refused(kupang, form_data, settings):
    settings.SIGAP_WEB_SAME_TEXT = ["3/hour"]
    text = "Promo pinjaman online cepat cair hubungi nomor ini sekarang"
    codes = [post(phone(), form_data, f"k{i}", description=text).status_code
             for i in range(4)]
    assert codes == [200, 200, 200, 429]
    # Short, common words are not a heuristic's business.
    assert [post(phone(), form_data, f"s{i}", description="Lampu mati").status_code
            for i in range(5)] == [200] * 5


def test_the_plain_form_keeps_what_was_typed_when_refused(kupang, form_data, settings):
    settings.SIGAP_WEB_REPORTS_PER_DEVICE = ["1/hour"]
    hp = phone()
    hp.post(URL, form_data(key=key("a")))
    response = hp.post(URL, form_data(key=key("b"), description="Kabel listrik putus di jalan"))
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "Terlalu banyak laporan" in html and "Kabel listrik putus di jalan" in html


def test_a_second_client_with_the_same_key_never_gets_the_first_ones_link(kupang, form_data):
    first = post(phone(), form_data, "shared-key").json()
    second = post(phone(), form_data, "shared-key").json()
    assert second["ticket"] != first["ticket"] and second["replayed"] is False
    mine = Report.objects.get(ticket=first["ticket"])
    assert mine.tracking_key not in json.dumps(second)
