"""The WhatsApp benchmark (bench/whatsapp.py), bounded: a few conversations with short think
times and one short ceiling step, against gunicorn and the Huey worker as `make serve` runs
them (SQLite, in a temporary directory). It checks what the full run checks: every
conversation ends with exactly one report and its own photo, nothing lost or duplicated."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]


def test_a_bounded_run_of_the_whatsapp_benchmark(tmp_path):
    out = tmp_path / "result.json"
    port = int(os.environ.get("SIGAP_CHANNELS_BENCH_PORT", "8780"))
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    subprocess.run([sys.executable, str(ROOT / "bench" / "whatsapp.py"), "--conversations", "8",
                    "--think", "0.2,1", "--rates", "5", "--step-seconds", "3",
                    "--port", str(port), "--fake-port", str(port + 1), "--json", str(out)],
                   cwd=ROOT, env=env, check=True, timeout=300, stdout=subprocess.DEVNULL)
    result = json.loads(out.read_text())
    talk = result["conversations"]
    assert talk["completed"] == 8 and talk["failed"] == []
    assert (talk["reports"], talk["lost"], talk["duplicated"]) == (8, 0, 0)
    assert talk["photos"] == talk["photos_right"] == 8
    assert talk["ticket_messages_not_one"] == 0 and talk["inbound_pending"] == 0
    assert talk["citizen_messages"] == talk["inbound_stored"]
    assert talk["errors"] == 0 and talk["webhook_ms"]["n"] > talk["citizen_messages"]
    step = result["ceiling"]["steps"][0]
    assert step["errors"] == 0 and step["webhooks"] > 0
