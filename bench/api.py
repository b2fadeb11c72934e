"""Open311 API benchmark under gunicorn on this machine's cores, with wrk as the client.

    .venv/bin/python bench/api.py [--db sqlite,postgres] [--sizes 1000,1000000]

For each database and table size: a fresh database, `sigap setup --no-demo`, `bench/seed.py`,
an API key, gunicorn (bench.settings, --workers sync workers: one per core by default), then
wrk runs of --duration seconds with --connections connections, --rounds times each (median
kept): the ceiling (a minimal Django JSON view in the same server), GET requests.json near
the hot spot (radius 500 m) served from the read cache and again computed every time
(Cache-Control: no-cache), and, last, POST requests.json. The ceiling is measured in both
phases, interleaved with the reads and again with the writes, and each endpoint is compared
with the ceiling of its own phase: a ratio of rates measured in the same minutes. The SQLite leg
is the embedded default (database cache, Huey on SQLite); the PostgreSQL leg adds Redis.
Prints a Markdown table; requires `wrk` (Debian package) and, for PostgreSQL, a local server.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOT = (-10.17, 123.60)
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test"


def sh(cmd, env, **kw):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True,
                          capture_output=True, **kw)


def fresh_env(db: str, size: int, tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGAP_", "DATABASE_URL",
                                                                     "REDIS_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="bench.settings", SIGAP_VAR_DIR=str(tmp / "var"),
               SIGAP_HUEY_IMMEDIATE="0", PYTHONPATH=str(ROOT))
    if db == "postgres":
        name = f"sigap_bench_{size}"
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        # The production shape: PostgreSQL with Redis for the cache and the queue.
        env["REDIS_URL"] = "redis://127.0.0.1:6379/14"
        subprocess.run(["redis-cli", "-n", "14", "FLUSHDB"], check=True, capture_output=True)
    return env


def wrk(url: str, seconds: int, connections: int, script: Path | None = None,
        headers: tuple[str, ...] = ()) -> dict:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in headers:
        cmd += ["-H", header]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], check=True, text=True, capture_output=True).stdout

    def ms(label):
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": ms("50%"), "p99": ms("99%"), "non2xx": int(errors.group(1)) if errors else 0}


def prepare(db: str, size: int, tmp: Path) -> tuple[dict, str, str]:
    """A fresh database with `size` reports and an API key: (environment, seed log, key)."""
    env = fresh_env(db, size, tmp)
    sh([PY, "-m", "sigap.cli", "setup", "--no-demo"], env)
    seeded = sh([PY, "bench/seed.py", str(size), f"--hot={HOT[0]},{HOT[1]}"], env).stdout
    key_out = sh([PY, "-m", "sigap.cli", "apikey", "create", "bench", "--rate", "100000000"],
                 env).stdout
    return env, seeded, re.search(r"([A-Za-z0-9_\-]{20,})", key_out).group(1)


def post_script(tmp: Path, api_key: str) -> Path:
    """wrk's script for the create: a form-encoded Open311 POST at the hot spot."""
    post = tmp / "post.lua"
    body = (f"api_key={api_key}&jurisdiction_id=kupang&service_code=MACET&lat={HOT[0]}"
            f"&long={HOT[1]}&description=Macet+di+persimpangan")
    post.write_text('wrk.method = "POST"\n'
                    'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
                    f'wrk.body = "{body}"\n')
    return post


def start_server(env: dict, port: int, workers: int) -> tuple[subprocess.Popen, str]:
    """gunicorn with `workers` sync workers on bench.settings, once it answers: (process, URL)."""
    server = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "bench.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(urls(base)["ceiling"], timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    return server, base


def urls(base: str) -> dict[str, str]:
    """The measured endpoints of a server at `base`."""
    return {"ceiling": base + "/bench/ceiling.json",
            "list": f"{base}/open311/v2/requests.json?lat={HOT[0]}&long={HOT[1]}&radius=500",
            "create": base + "/open311/v2/requests.json"}


def stop(*procs: subprocess.Popen, timeout: float = 30) -> None:
    """Stop the process groups in the order given (SIGTERM), then wait for each; one that
    is still there after `timeout` seconds is killed (SIGKILL)."""
    for proc in procs:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_one(db: str, size: int, args, tmp: Path) -> dict:
    env, seeded, api_key = prepare(db, size, tmp)
    server, base = start_server(env, 8300 + (size % 97), args.workers)
    try:
        post = post_script(tmp, api_key)
        url = urls(base)
        list_url = url["list"]
        with urllib.request.urlopen(list_url) as r:
            listed = r.read()
        # Warm up every worker on each path, then measure.
        wrk(url["ceiling"], 2, args.connections)
        wrk(list_url, 2, args.connections)
        runs = {
            "ceiling": lambda: wrk(url["ceiling"], args.duration,
                                   args.connections),
            "list": lambda: wrk(list_url, args.duration, args.connections),
            # The same query computed every time (the read cache bypassed): what the SQL and
            # the serialisation cost, and whether that grows with the table.
            "list-uncached": lambda: wrk(list_url, args.duration, args.connections,
                                         headers=("Cache-Control: no-cache",)),
            "create": lambda: wrk(url["create"], args.duration,
                                  args.connections, post),
        }
        runs["ceiling-w"] = runs["ceiling"]
        # Read rounds interleaved (ceiling, list, uncached, ceiling, …) so that a slow moment
        # of the machine touches each alike; then the create rounds, last because each adds
        # thousands of reports, interleaved with the ceiling again (`ceiling-w`): this VM's
        # speed drifts over minutes, so each endpoint is compared with the ceiling measured
        # among its own rounds. The median round is reported, with the range.
        measured = {name: [] for name in runs}
        for names in (("ceiling", "list", "list-uncached"), ("ceiling-w", "create")):
            for _ in range(args.rounds):
                for name in names:
                    measured[name].append(runs[name]())
        result = {"seeded": seeded.strip(), "list_bytes": len(listed)}
        for name, rounds in measured.items():
            middle = sorted(rounds, key=lambda m: m["rps"])[len(rounds) // 2]
            result[name] = {**middle, "spread": (min(m["rps"] for m in rounds),
                                                  max(m["rps"] for m in rounds)),
                            "non2xx": sum(m["non2xx"] for m in rounds)}
    finally:
        stop(server)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--sizes", default="1000,1000000")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    # One sync worker per core: the requests are CPU-bound on the cores they share with the
    # database; more workers than cores only add context switches (docs/benchmarks.md).
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} {platform.machine()} {os.cpu_count()} cores, "
          f"gunicorn {args.workers} sync workers, wrk -t1 -c{args.connections} "
          f"-d{args.duration}s, median of {args.rounds} interleaved rounds\n")
    print("| db | reports | endpoint | req/s | rounds' range | % of ceiling | p50 ms | p99 ms "
          "| non-2xx |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for db in args.db.split(","):
        for size in map(int, args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                r = run_one(db, size, args, Path(tmp))
            for name in ("ceiling", "list", "list-uncached", "ceiling-w", "create"):
                m = r[name]
                low, high = m["spread"]
                ceiling = r["ceiling-w" if name in ("ceiling-w", "create") else "ceiling"]["rps"]
                label = "ceiling (write phase)" if name == "ceiling-w" else name
                print(f"| {db} | {size:,} | {label} | {m['rps']:,.0f} | {low:,.0f}–{high:,.0f} | "
                      f"{100 * m['rps'] / ceiling:.0f}% | {m['p50']:.1f} | {m['p99']:.1f} | "
                      f"{m['non2xx']} |", flush=True)
            print(f"<!-- {db} {size}: {r['seeded']}; list response {r['list_bytes']} bytes -->",
                  flush=True)


if __name__ == "__main__":
    main()
