"""bench/load.py --quick: the product as `make serve` runs it (gunicorn and the Huey worker
on the same cores) under a scaled-down open-loop load, with the issue 15 targets scaled down:
sustained creates with the desk's actions and cached reads, then a burst (slow)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
        with socket.socket() as b:
            try:
                b.bind(("127.0.0.1", port + 1))
                return port
            except OSError:
                continue
    raise RuntimeError("no two free ports")


def test_it_keeps_up_with_a_scaled_down_load(tmp_path):
    args = [sys.executable, str(ROOT / "bench" / "load.py"), "--quick", "--scenario", "a,b",
            "--port", str(free_port_pair()), "--json", str(tmp_path / "load.json")]
    if os.environ.get("DATABASE_URL"):
        redis_db = int((os.environ.get("REDIS_URL") or "redis://x/0").rsplit("/", 1)[1] or 0)
        args += ["--db", "postgres", "--pg-db", f"sigap_load_{os.getpid()}",
                 "--redis-db", str(redis_db)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert (tmp_path / "load.json").exists(), done.stderr[-3000:]
    results = json.loads((tmp_path / "load.json").read_text())
    print(json.dumps({k: results[k] for k in ("a", "b", "missed") if k in results}))
    a, b = results["a"], results["b"]
    assert a["latency"]["create"]["n"] == 15 * 30 and b["creates"] == 600  # counts: fixed
    assert a["delays"]["sent"] > 0 and a["delays"]["messages"] == a["delays"]["sent"]
    assert results["missed"] == [], results["missed"]
    assert done.returncode == 0, done.stderr[-2000:]
