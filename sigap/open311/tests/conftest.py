import json
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import time_machine

from conftest import NOW


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Give each test its own cache (rate limits), whatever cache the run is configured with."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": uuid.uuid4().hex}}


@pytest.fixture
def clock():
    """Freeze the clock an hour after the reports made with the shared `now` fixture."""
    with time_machine.travel(NOW + timedelta(hours=1), tick=False) as traveller:
        yield traveller


@pytest.fixture
def api_key(db, now):
    from sigap.open311.models import ApiKey

    _key, raw = ApiKey.issue("Aplikasi Uji", now=now, rate_per_minute=100)
    return raw


class Open311:
    """Call the endpoint and parse the answer with a real parser (ElementTree or json)."""

    def __init__(self, client):
        self.client = client

    def parse(self, response, fmt):
        if fmt == "xml":
            assert response["Content-Type"] == "text/xml; charset=utf-8"
            assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
            return ET.fromstring(response.content)
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.content)

    def get(self, path, fmt="json", **params):
        response = self.client.get(f"/open311/v2/{path}.{fmt}", params)
        return response, self.parse(response, fmt)

    def post(self, fmt="json", data=None, **extra):
        response = self.client.post(f"/open311/v2/requests.{fmt}", data or {}, **extra)
        return response, self.parse(response, fmt)


@pytest.fixture
def o311(client, kupang, clock):
    return Open311(client)
