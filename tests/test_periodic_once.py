"""Periodic jobs run once per period however many workers' schedulers queue them."""

from datetime import datetime

import pytest
from huey import MemoryHuey, crontab

from sigap.lib.hueycluster import ClusterHueyMixin


class ClusterMemoryHuey(ClusterHueyMixin, MemoryHuey):
    pass


def consumer(ran: list, minute: list):
    """One worker: its own scheduler and queue, Sigap's periodic task registered."""
    huey = ClusterMemoryHuey("sigap-test", utc=True)
    huey.clock = lambda: minute[0] * 60.0 + 42

    @huey.periodic_task(crontab(minute="*"))
    def sweep():
        ran.append(minute[0])

    return huey


def tick(workers, at: datetime) -> None:
    """Each worker's scheduler queues what is due, then its threads run its queue."""
    for huey in workers:
        for task in huey.read_periodic(at):
            huey.enqueue(task)
    for huey in workers:
        while (task := huey.dequeue()) is not None:
            huey.execute(task)


@pytest.mark.django_db
def test_two_workers_run_a_periodic_task_once_a_minute():
    ran, minute = [], [29_000_000]
    workers = [consumer(ran, minute), consumer(ran, minute)]
    tick(workers, datetime(2026, 12, 7, 20, 0))
    assert ran == [29_000_000]
    minute[0] += 1
    tick(workers, datetime(2026, 12, 7, 20, 1))
    assert ran == [29_000_000, 29_000_001]


@pytest.mark.django_db
def test_a_plain_job_is_never_held_back():
    huey = ClusterMemoryHuey("sigap-test-plain", utc=True)
    ran = []

    @huey.task()
    def job(n):
        ran.append(n)

    job(1)
    job(1)
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
    assert ran == [1, 1]
