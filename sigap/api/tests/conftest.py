import uuid
from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from conftest import NOW


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": uuid.uuid4().hex}}


@pytest.fixture(autouse=True)
def _no_throttle(request, monkeypatch):
    """Throttles are tested on their own (test_throttling); elsewhere they would only flake."""
    if "real_throttles" in request.fixturenames:
        return
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, req, view: True)


@pytest.fixture
def clock():
    with time_machine.travel(NOW + timedelta(hours=1), tick=False) as traveller:
        yield traveller


@pytest.fixture
def api(kupang, clock):
    return APIClient()


@pytest.fixture
def as_user(api):
    def login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return login


@pytest.fixture
def real_throttles():
    """Ask for this to keep DRF's throttles on in a test."""
