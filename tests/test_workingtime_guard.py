import signal
from contextlib import contextmanager
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from sigap.lib.workingtime import Calendar, add_service_hours

WITA = ZoneInfo("Asia/Makassar")


class TookForever(Exception):
    pass


@contextmanager
def at_most(seconds):
    """Fail instead of hanging when the code under test never returns."""
    def stop(signum, frame):
        raise TookForever

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("start,end", [(time(16, 0), time(8, 0)), (time(8, 0), time(8, 0))])
def test_it_refuses_office_hours_that_end_before_they_start(start, end):
    with at_most(2), pytest.raises(ValueError):
        calendar = Calendar(tz=WITA, always_open=False, start=start, end=end)
        add_service_hours(datetime(2026, 3, 2, 1, tzinfo=timezone.utc), 4, calendar)


def test_it_refuses_an_office_that_works_no_day():
    with at_most(2), pytest.raises(ValueError):
        calendar = Calendar(tz=WITA, always_open=False, workdays=frozenset())
        add_service_hours(datetime(2026, 3, 2, 1, tzinfo=timezone.utc), 4, calendar)


def test_it_still_adds_hours_in_office_time():
    calendar = Calendar(tz=WITA, always_open=False, start=time(8), end=time(16))
    due = add_service_hours(datetime(2026, 3, 2, 7, tzinfo=WITA), 10, calendar)
    assert due == datetime(2026, 3, 3, 10, tzinfo=WITA)
