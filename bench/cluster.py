"""The cluster benchmark: create and list through the load balancer, one node against two.

Starts the local cluster (sigap/ops/cluster.py: nginx, two gunicorn nodes, workers, the
local PostgreSQL and Redis, moto's S3 server), seeds --seed reports, then alternates, round
by round, nginx pointing at web-1 alone and at both nodes (a reload between), and runs wrk
(-t1, --connections) for --duration seconds on:

- create: an Open311 POST (form-encoded, no photo) at the seed's hot spot;
- list:   the Open311 list of the hot spot (the read cache on: the common case).

For each it prints throughput and p99 (median over the rounds) and where the CPU went during
the run, per request, from /proc: each web node's gunicorn processes (Python), all
PostgreSQL server processes (the database: other users' too, on a shared machine), nginx (the
proxy) and the workers. On 2 cores a second node cannot double throughput; the table says
what the ratio is and which process took the time.

Usage (docs/benchmarks.md):  make bench-cluster  or
    .venv/bin/python bench/cluster.py [--port 8180] [--seed 1000] [--duration 10] [--rounds 3]
Needs wrk (Debian's package) and the local PostgreSQL and Redis.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api import HOT, post_script, wrk  # noqa: E402
from sigap.ops.cluster import ROOT, Cluster, drop_database  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
UNLIMITED = "1000000000/min"


def cpu_seconds(pids: set[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def processes() -> list[tuple[int, int, str]]:
    """Return (pid, process group, command name) of every process."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        out.append((int(entry.name), int(fields[2]), name))
    return out


def groups(cluster: Cluster) -> dict[str, set[int]]:
    """The processes to measure: each node's group (gunicorn's master and workers), the
    workers, nginx, PostgreSQL."""
    procs = processes()
    out = {}
    for node in [*cluster.web_nodes, *cluster.workers, cluster.lb]:
        out[node.name] = {pid for pid, pgrp, _ in procs if pgrp == node.pid}
    out["postgres"] = {pid for pid, _, name in procs if name.startswith("postgres")}
    return out


def measure(cluster: Cluster, run) -> dict:
    """Run `run()` (a wrk call) and return its figures with the CPU ms per request of each
    process group."""
    before = {name: cpu_seconds(pids) for name, pids in groups(cluster).items()}
    figures = run()
    after = {name: cpu_seconds(pids) for name, pids in groups(cluster).items()}
    requests = figures["rps"] * figures["seconds"]
    figures["cpu_ms"] = {name: round((after[name] - before.get(name, 0)) * 1000
                                     / max(requests, 1), 3) for name in after}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8180)
    parser.add_argument("--seed", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--database-url", default=os.environ.get(
        "SIGAP_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sigap_bench_cluster"))
    parser.add_argument("--redis-url", default=os.environ.get(
        "SIGAP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `make bench-cluster` installs it (Debian's wrk)")
    var = ROOT / "var" / "bench-cluster"
    shutil.rmtree(var, ignore_errors=True)
    drop_database(args.database_url)
    tag = f"bench{secrets.token_hex(3)}"
    cluster = Cluster(port=args.port, database_url=args.database_url,
                      redis_url=args.redis_url, var=var, tag=tag, workers=1,
                      gunicorn_workers=args.gunicorn_workers,
                      nginx=shutil.which("nginx") or "/usr/sbin/nginx",
                      extra_env={"SIGAP_THROTTLE_ANON": UNLIMITED,
                                 "SIGAP_THROTTLE_USER": UNLIMITED,
                                 "SIGAP_THROTTLE_OPEN311": UNLIMITED,
                                 "SIGAP_LOG_FORMAT": "text"})
    results: dict[tuple[int, str], list[dict]] = {}
    try:
        cluster.start(setup=("setup", "--no-demo"))
        subprocess.run([sys.executable, "bench/seed.py", str(args.seed),
                        f"--hot={HOT[0]},{HOT[1]}"], cwd=ROOT, check=True,
                       env={**os.environ, **cluster.env}, capture_output=True)
        key = cluster.sigap("apikey", "create", "bench", "--rate", "1000000000").split()[-1]
        post = post_script(var, key)
        list_url = (f"{cluster.url}/open311/v2/requests.json?lat={HOT[0]}&long={HOT[1]}"
                    "&radius=500")
        create_url = f"{cluster.url}/open311/v2/requests.json"
        for nodes in (1, 2):  # warm every gunicorn worker up on both paths
            cluster.use_web_nodes(nodes)
            wrk(list_url, 2, args.connections)
            wrk(create_url, 2, args.connections, post)
        for _ in range(args.rounds):
            for nodes in (1, 2):
                cluster.use_web_nodes(nodes)
                for endpoint, run in (
                        ("create", lambda: wrk(create_url, args.duration, args.connections,
                                               post)),
                        ("list", lambda: wrk(list_url, args.duration, args.connections))):
                    figures = measure(cluster, lambda run=run: {
                        **run(), "seconds": args.duration})
                    results.setdefault((nodes, endpoint), []).append(figures)
    finally:
        cluster.stop()
        drop_database(args.database_url)
    report(results, args)


def report(results: dict, args) -> None:
    load = os.getloadavg()
    print(f"\nwrk -t1 -c{args.connections}, {args.rounds} rounds of {args.duration} s each, "
          f"{args.seed} seeded reports, {args.gunicorn_workers} gunicorn workers per node; "
          f"load average after: {load[0]:.2f}\n")
    print("| endpoint | nodes | req/s (median) | p99 ms (median) | non-2xx | CPU ms/request: "
          "web-1 | web-2 | worker | nginx | PostgreSQL |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    out = {}
    for endpoint in ("create", "list"):
        for nodes in (1, 2):
            runs = results.get((nodes, endpoint), [])
            if not runs:
                continue

            def med(key, runs=runs):
                return statistics.median(r[key] for r in runs)

            def cpu(name, runs=runs):
                return statistics.median(r["cpu_ms"].get(name, 0) for r in runs)

            row = {"rps": med("rps"), "p99": med("p99"),
                   "non2xx": sum(r["non2xx"] for r in runs),
                   "cpu_ms": {n: cpu(n) for n in ("web-1", "web-2", "worker-1", "lb",
                                                  "postgres")}}
            out[f"{endpoint}-{nodes}"] = row
            c = row["cpu_ms"]
            print(f"| {endpoint} | {nodes} | {row['rps']:.1f} | {row['p99']:.1f} | "
                  f"{row['non2xx']} | {c['web-1']:.2f} | {c['web-2']:.2f} | "
                  f"{c['worker-1']:.2f} | {c['lb']:.2f} | {c['postgres']:.2f} |")
        one, two = out.get(f"{endpoint}-1"), out.get(f"{endpoint}-2")
        if one and two and one["rps"]:
            print(f"| {endpoint}: two nodes / one | | {two['rps'] / one['rps']:.2f}× | | | | "
                  "| | | |")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
