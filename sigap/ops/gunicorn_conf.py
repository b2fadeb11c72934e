"""Gunicorn hooks of a web node (`gunicorn -c python:sigap.ops.gunicorn_conf`).

With PROMETHEUS_MULTIPROC_DIR set, each gunicorn worker writes its metrics into files there
and `/metrics` sums them (sigap/ops/metrics.py): the directory is emptied when the node
starts, and a worker that exits is marked dead so its gauges stop counting.
"""

import os
import shutil
from pathlib import Path


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
