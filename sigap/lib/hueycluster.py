"""What Huey needs when several workers share one queue.

- **Once per period.** Every consumer runs its own scheduler, so with two workers each
  periodic task is queued twice a period. The scheduler's enqueue stamps the task with its
  period (the minute it was queued: Huey's crontab has minute resolution, and every
  scheduler queues a task in the same minute); before the task runs, a cache `add()` of a
  key for (task, period) claims it, and the second copy finds the key and is skipped. The
  cache is the shared one (Redis in a cluster; the database's cache table otherwise).
- **The request id** of the request that queued a job travels in its keyword arguments and
  is set again (lib/requestid.py) while the job runs.
- **The configuration version** (lib/memo.py) is checked before each job, as the web nodes
  check it before each request.
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from huey import RedisHuey as _RedisHuey
from huey.api import PeriodicTask
from huey.signals import SIGNAL_CANCELED

from sigap.lib import memo, requestid

log = logging.getLogger(__name__)
# One line per periodic task and minute in each worker, "run" or "skipped" (settings keep it
# at INFO): an operator, and the cluster test, can see that each ran once.
periodic_log = logging.getLogger("sigap.periodic")

REQUEST_ID_KWARG = "_sigap_request_id"
PERIOD_KWARG = "_sigap_period"
# A claim outlives any delay of the queue that could still run the second copy.
CLAIM_SECONDS = 6 * 3600


def period_key(task_name: str, period: int) -> str:
    return f"sigap:periodic:{task_name}:{period}"


class ClusterHueyMixin:
    """Huey that carries the request id and runs each periodic task once per period."""

    clock = staticmethod(time.time)

    def enqueue(self, task):
        if isinstance(getattr(task, "kwargs", None), dict):  # not a group or a chord
            extra = {}
            if isinstance(task, PeriodicTask):
                extra[PERIOD_KWARG] = int(self.clock() // 60)
            elif rid := requestid.current.get():
                extra[REQUEST_ID_KWARG] = rid
            if extra:
                task.kwargs = {**task.kwargs, **extra}
        return super().enqueue(task)

    def _execute(self, task, timestamp):
        kwargs = task.kwargs if isinstance(task.kwargs, dict) else {}
        rid = kwargs.pop(REQUEST_ID_KWARG, "") or requestid.new()
        period = kwargs.pop(PERIOD_KWARG, None)
        token = requestid.current.set(rid)
        try:
            memo.check_configuration()
            if period is not None:
                claimed = self.claim_period(task.name, period)
                outcome = "run" if claimed else "skipped"
                periodic_log.info("periodic %s minute %s: %s", task.name, period, outcome,
                                  extra={"task": task.name, "period": period,
                                         "outcome": outcome})
                if not claimed:
                    self._emit(SIGNAL_CANCELED, task)
                    return None
            return super()._execute(task, timestamp)
        finally:
            requestid.current.reset(token)

    def claim_period(self, task_name: str, period: int) -> bool:
        """Return True for the first worker to claim `task_name` in `period`."""
        try:
            return bool(cache.add(period_key(task_name, period), 1, timeout=CLAIM_SECONDS))
        except Exception:  # noqa: BLE001 - the cache is down: run (the jobs are safe twice)
            log.warning("periodic task %s: claim not stored (cache unreachable); running it",
                        task_name)
            return True


class RedisHuey(ClusterHueyMixin, _RedisHuey):
    pass
