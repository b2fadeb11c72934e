from datetime import time

import pytest
from django.utils import timezone as tz

from sigap.agencies.models import Team
from sigap.duty.models import Shift
# The SMS/WhatsApp messages handed to the webhook gateway, as the notification tests see them.
from sigap.notifications.tests.test_notifications import sent  # noqa: F401


@pytest.fixture
def shift(now):
    """Return add(user, starts, ends, team=None, weekdays="0123456", **kw): a saved Shift."""

    def add(user, starts, ends, *, team=None, weekdays="0123456", **kw):
        return Shift.objects.create(agency=user.agency, team=team, user=user, weekdays=weekdays,
                                    starts=time(*starts), ends=time(*ends), created_at=now,
                                    **kw)

    return add


@pytest.fixture
def team_of():
    def get(user):
        return Team.objects.filter(members=user).first()

    return get


def wita(now):
    return tz.localtime(now, tz.get_fixed_timezone(8 * 60))
