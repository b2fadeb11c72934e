"""A worker process killed (SIGKILL) while it sends the followers' messages: the next run
sends what was claimed but not sent, once, and never sends again what it was sending.

Real processes on the real test database (forked; committed data, so a transactional test):
the child claims, or claims and starts sending, and is killed at that point; the parent then
runs the minute job as the next worker would. The rule: services.py's docstring.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connections

from sigap.follows import services
from sigap.follows.models import Follow, FollowItem, FollowMessage
from sigap.reports import outbox

pytestmark = pytest.mark.django_db(transaction=True)


def _killed_after_claim(at):
    services.claim(at)
    os.kill(os.getpid(), signal.SIGKILL)  # dies after the claim's commit, before any send


def _killed_while_sending(at):
    from sigap.notifications import channels

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)  # dies inside the send, before its record

    channels.send_email = die
    services.send_due(at)


def _run_and_kill(target, at) -> int:
    connections.close_all()  # the child opens its own connection, never the parent's
    process = multiprocessing.get_context("fork").Process(target=target, args=(at,))
    process.start()
    process.join(60)
    return process.exitcode


@pytest.fixture
def due(kupang, make_report, now):
    """A confirmed follow with three new reports in its place, due to be told at `at`."""
    first = make_report(at=now)
    Follow.objects.create(city=kupang, kelurahan=first.kelurahan, channel="email",
                          destination="warga@contoh.id", confirmed_at=now, created_at=now)
    for minute in (1, 2, 3):
        make_report(at=now + timedelta(minutes=minute))
    outbox.drain(now=now + timedelta(minutes=3))  # committed here: already drained, by the
    # immediate queue at the clock's time; either way the items are due after their window
    assert FollowItem.objects.count() == 3
    return max(FollowItem.objects.values_list("due_at", flat=True)) + timedelta(minutes=1)


def test_a_worker_killed_after_its_claim_loses_nothing_and_sends_once(due):
    assert _run_and_kill(_killed_after_claim, due) == -signal.SIGKILL
    assert list(FollowMessage.objects.values_list("state", flat=True)) == ["claimed"]
    assert mail.outbox == []
    services.send_due(due + timedelta(minutes=1))  # the next minute's job, another process
    services.send_due(due + timedelta(minutes=2))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.count("Laporan baru") == 3  # the three reports, one message
    assert list(FollowMessage.objects.values_list("state", flat=True)) == ["sent"]


def test_a_worker_killed_inside_the_send_does_not_send_twice(due):
    assert _run_and_kill(_killed_while_sending, due) == -signal.SIGKILL
    assert list(FollowMessage.objects.values_list("state", flat=True)) == ["sending"]
    services.send_due(due + timedelta(minutes=1))
    services.send_due(due + timedelta(hours=1))
    assert mail.outbox == []
