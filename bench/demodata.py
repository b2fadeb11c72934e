"""How long `sigap demo-data` takes, and whether a big history tells the small one's story.

    .venv/bin/python bench/demodata.py [--db sqlite,postgres] [--sizes 30000,1000000]

For each database and size: a fresh database (`sigap setup --no-demo`), then
`sigap demo-data --reports N --citizens N/10 --year 2025 --seed 1` (a whole past year), timed
(wall clock and the process's CPU time: the machine is shared, the CPU time is the steadier
figure). Afterwards the shares of each run (sigap.demo.story.shape: category, month,
kelurahan, status, channel) are compared with the smallest run of the same database;
differences beyond the tolerance are printed and make the exit status 1. Prints a Markdown
table. PostgreSQL databases are `h14demo_bench_<size>`, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
SHAPE = """
import json, django
django.setup()
from sigap.cities.models import City
from sigap.demo import story
print(json.dumps(story.shape(City.objects.get(code="kupang"))))
"""


def sh(cmd, env):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, capture_output=True)


def fresh_env(db: str, size: int, tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SIGAP_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="sigap.settings", SIGAP_VAR_DIR=str(tmp / f"{db}{size}"),
               PYTHONPATH=str(ROOT))
    if db == "postgres":
        name = f"h14demo_bench_{size}"
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    return env


def run(db: str, size: int, tmp: Path) -> dict:
    env = fresh_env(db, size, tmp)
    sh([PY, "-m", "sigap.cli", "setup", "--no-demo"], env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    out = sh([PY, "-m", "sigap.cli", "demo-data", "--reports", str(size), "--citizens",
              str(max(size // 10, 10)), "--year", "2025", "--seed", "1"], env).stdout
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    shape = json.loads(sh([PY, "-c", SHAPE], env).stdout)
    return {"db": db, "size": size, "wall": wall, "cpu": cpu, "out": out.strip().splitlines()[-1],
            "shape": shape, "env": env}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--sizes", default="30000,1000000")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sigap.settings")
    from sigap.demo.story import differences  # pure: no database

    sizes = sorted(int(s) for s in args.sizes.split(","))
    rows, failed = [], False
    print(f"uptime at start: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory(prefix="h14demo-bench-") as tmp:
        for db in args.db.split(","):
            first = None
            for size in sizes:
                result = run(db, size, Path(tmp))
                load = os.getloadavg()
                print(f"{db} {size}: wall {result['wall']:.0f} s, cpu {result['cpu']:.0f} s, "
                      f"load {load[0]:.1f} — {result['out']}", flush=True)
                diffs = differences(first["shape"], result["shape"]) if first else []
                for line in diffs:
                    print(f"  differs from {first['size']}: {line}", flush=True)
                failed |= bool(diffs)
                rows.append((db, size, result["wall"], result["cpu"], load[0],
                             "same" if first and not diffs else ("—" if not first else
                                                                 f"{len(diffs)} differ")))
                first = first or result
                if db == "postgres":
                    name = f"h14demo_bench_{size}"
                    subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"],
                                   check=False)
    print("\n| database | reports | wall (s) | CPU (s) | µs CPU per report | load after "
          "| story against the smallest run |")
    print("|---|---|---|---|---|---|---|")
    for db, size, wall, cpu, load, story in rows:
        print(f"| {db} | {size:,} | {wall:.0f} | {cpu:.0f} | {cpu / size * 1e6:.0f} | {load:.1f} "
              f"| {story} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
