"""This tree against an older one, side by side: the same endpoints, in the same minutes.

    .venv/bin/python bench/sidebyside.py --base /path/to/old/tree [--db sqlite] [--size 1000]
        [--worker] [--rounds 4] [--duration 8] [--state /tmp/sbs-state] [--lock FILE]
    .venv/bin/python bench/sidebyside.py --cities [--db sqlite] [--size 1000] [--worker] ...

--cities (issue 26): this tree against itself, one city against three. "old" is an install
with Kota Kupang's pack only (`sigap setup --packs kupang`); "new" has the three packs
(Kota Kupang, Kabupaten Kupang, Kota Jayapura) and, besides Kupang's --size reports, half
as many in each other city. Both measure the same Kupang endpoints (an Open311 create at the
hot spot, which routes by place among the loaded cities, and the list near it).

Each tree runs its own code on its own database: `sigap setup --no-demo`, its own
bench/seed.py N and an API key, with its own virtualenv (<tree>/.venv), because the schemas
differ. The prepared state is kept under --state (the SQLite files, or a PostgreSQL template
database) and copied afresh for every run, so a million reports are seeded once per tree.
Both trees are then served by their own gunicorn (bench.settings, one sync worker per core,
as bench/api.py), on their own port, both running throughout; an idle server costs nothing.
Then --rounds rounds, each measuring one tree and then the other (the order reversed every
other round) with wrk: the ceiling (bench/ceiling.json), the Open311 create (POST) and the
cached Open311 list near the hot spot. Each endpoint's request rate is compared as new/old:
the ratio of the medians and the median of the rounds' own ratios (the two trees measured
within a minute of each other, which this VM's drift over minutes would otherwise swamp).

--worker: the make-serve shape, where a create's background work counts too. Each tree's Huey
worker (`sigap run_huey`, the settings' two threads) runs only during that tree's turn, so
the two workers never compete with each other or with the other tree's measurement: it is
started and left to finish its start-up before wrk begins, and after wrk's create run the
turn lasts until the tree has nothing left to do for those creates (its outbox empty, no
notification pending or being sent, its queue empty). The create is then counted in reports
per second of wall time, the drain included. Periodic tasks are off (--no-periodic): the
minute-by-minute jobs are the same work in both trees whatever the creates, and on a million
seeded reports (most of them past their due date) the first SLA sweep would be a one-off
that says nothing about a create.

Beside each rate, the CPU each request cost the tree (its gunicorn workers, its Huey worker
with --worker, and on PostgreSQL the server processes connected to its database, from
/proc, per request answered): on a machine shared with other work the rates follow the
share of the cores each tree got, the CPU per request much less so.

The SQLite leg is the embedded default (database cache, Huey on SQLite); the PostgreSQL leg
adds Redis (db 7 for this tree, 8 for the base). Requires wrk and, for PostgreSQL, a local
server. --lock FILE takes an exclusive flock(2) on FILE around the timed part only (the
copying of the prepared state happens before it).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api import HOT, PG_ADMIN, post_script, urls, wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgres://postgres@127.0.0.1:5432/"
# --cities: a hot spot in each other city (its centre), for its seeded reports.
OTHER_CENTRES = {"kabupaten-kupang": (-10.23, 123.75), "jayapura": (-2.533, 140.717)}


@dataclass
class Tree:
    label: str  # "new" (this tree) or "old" (--base)
    root: Path
    redis_db: int
    port: int
    env: dict = field(default_factory=dict)
    key: str = ""
    packs: list[str] | None = None  # only these city packs (--cities' one-city install)
    other_cities: list[str] = field(default_factory=list)  # seeded too, size/2 each
    server: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None

    @property
    def python(self) -> str:
        return str(self.root / ".venv" / "bin" / "python")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def pg_name(label: str, size: int, template: bool = False) -> str:
    return f"sbs_{label}_{size}" + ("_tpl" if template else "")


def psql(sql: str) -> None:
    subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True)


def tree_env(tree: Tree, db: str, var: Path, dbname: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SIGAP_", "DATABASE_URL", "REDIS_URL", "VIRTUAL_ENV"))}
    env.update(DJANGO_SETTINGS_MODULE="bench.settings", SIGAP_VAR_DIR=str(var),
               SIGAP_HUEY_IMMEDIATE="0", PYTHONPATH=str(tree.root))
    if db == "postgres":
        env["DATABASE_URL"] = PG_BASE + dbname
        env["REDIS_URL"] = f"redis://127.0.0.1:6379/{tree.redis_db}"
    return env


def flush_redis(tree: Tree) -> None:
    subprocess.run(["redis-cli", "-n", str(tree.redis_db), "FLUSHDB"], check=True,
                   capture_output=True)


def prepare(tree: Tree, db: str, size: int, state: Path) -> Path:
    """Seed this tree's database once (untimed, niced); return its state directory."""
    mode = "cities-" if tree.packs or tree.other_cities else ""
    where = state / f"{mode}{db}-{size}" / tree.label
    if (where / "key.txt").exists():
        return where
    shutil.rmtree(where, ignore_errors=True)
    (where / "var").mkdir(parents=True)
    if db == "postgres":
        psql(f"DROP DATABASE IF EXISTS {pg_name(tree.label, size, True)}")
        psql(f"CREATE DATABASE {pg_name(tree.label, size, True)}")
        flush_redis(tree)
    env = tree_env(tree, db, where / "var", pg_name(tree.label, size, True))

    def run(*cmd):
        return subprocess.run(["nice", "-n", "19", tree.python, *cmd], env=env,
                              cwd=tree.root, check=True, text=True,
                              capture_output=True).stdout

    run("-m", "sigap.cli", "setup", "--no-demo", *(["--packs", *tree.packs] if tree.packs else []))
    seeded = run("bench/seed.py", str(size), f"--hot={HOT[0]},{HOT[1]}")
    for code in tree.other_cities:
        centre = OTHER_CENTRES[code]
        seeded += f"; {code}: " + run("bench/seed.py", str(size // 2), "--city", code,
                                      f"--hot={centre[0]},{centre[1]}").strip()
    key_out = run("-m", "sigap.cli", "apikey", "create", "bench", "--rate", "100000000")
    (where / "seed.txt").write_text(seeded)
    (where / "key.txt").write_text(re.search(r"([A-Za-z0-9_\-]{20,})", key_out).group(1))
    return where


def restore(tree: Tree, db: str, size: int, where: Path, work: Path) -> None:
    """A fresh copy of the prepared state for this run."""
    var = work / tree.label / "var"
    shutil.copytree(where / "var", var)
    if db == "postgres":
        psql(f"DROP DATABASE IF EXISTS {pg_name(tree.label, size)}")
        psql(f"CREATE DATABASE {pg_name(tree.label, size)} "
             f"TEMPLATE {pg_name(tree.label, size, True)}")
        flush_redis(tree)
    tree.env = tree_env(tree, db, var, pg_name(tree.label, size))
    tree.key = (where / "key.txt").read_text().strip()


def start_server(tree: Tree, workers: int) -> None:
    tree.server = subprocess.Popen(
        [str(tree.root / ".venv" / "bin" / "gunicorn"), "bench.wsgi:application", "--bind",
         f"127.0.0.1:{tree.port}", "--workers", str(workers), "--log-level", "warning"],
        env=tree.env, cwd=tree.root, start_new_session=True)
    for _ in range(150):
        if tree.server.poll() is not None:
            raise RuntimeError(f"{tree.label}: gunicorn exited (port {tree.port} taken?)")
        try:
            urllib.request.urlopen(urls(tree.base)["ceiling"], timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{tree.label}: gunicorn did not answer")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_worker(tree: Tree) -> float:
    """The tree's Huey worker, once its start-up is over (its CPU time stops growing)."""
    began = time.perf_counter()
    tree.worker = subprocess.Popen(
        [tree.python, "-m", "sigap.cli", "run_huey", "--no-periodic"], env=tree.env,
        cwd=tree.root, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    last, still = -1.0, 0
    while time.perf_counter() - began < 20:
        time.sleep(0.25)
        used = cpu_seconds(tree.worker.pid)
        still = still + 1 if used - last < 0.01 else 0
        last = used
        if still >= 2 and used > 0.3:
            break
    return time.perf_counter() - began


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


def tree_cpu(tree: Tree, db: str) -> float:
    """CPU seconds used so far by the tree's gunicorn workers, its Huey worker and (on
    PostgreSQL) the server processes connected to its database."""
    pids = children(tree.server.pid) if tree.server else []
    if tree.worker and tree.worker.poll() is None:
        pids.append(tree.worker.pid)
    if db == "postgres":
        dbname = tree.env["DATABASE_URL"].rsplit("/", 1)[1]
        pids += [int(p) for p in subprocess.run(
            ["psql", PG_ADMIN, "-Atc",
             f"SELECT pid FROM pg_stat_activity WHERE datname = '{dbname}'"],
            capture_output=True, text=True).stdout.split()]
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except (OSError, ValueError, IndexError):
            continue
    return total


def stop(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class Backlog:
    """What a tree still has to do: outbox rows, notifications not yet sent, queued jobs."""

    SQL = ("SELECT (SELECT count(*) FROM reports_outbox), (SELECT count(*) FROM "
           "notifications_notification WHERE state IN ('pending', 'sending'))")

    def __init__(self, tree: Tree, db: str):
        self.tree, self.db = tree, db
        var = Path(tree.env["SIGAP_VAR_DIR"])
        if db == "postgres":
            import psycopg  # noqa: PLC0415 - the PostgreSQL leg only

            self.conn = psycopg.connect(tree.env["DATABASE_URL"], autocommit=True)
        else:
            self.conn = sqlite3.connect(f"file:{var / 'sigap.sqlite3'}?mode=ro", uri=True,
                                        timeout=30)
            self.queue = sqlite3.connect(f"file:{var / 'huey.sqlite3'}?mode=ro", uri=True,
                                         timeout=30)

    def counts(self) -> tuple[int, int, int]:
        outbox, notes = self.conn.execute(self.SQL).fetchone()
        if self.db == "postgres":
            queued = int(subprocess.run(
                ["redis-cli", "-n", str(self.tree.redis_db), "LLEN", "huey.redis.sigap"],
                check=True, capture_output=True, text=True).stdout.strip() or 0)
        else:
            queued = self.queue.execute("SELECT count(*) FROM task").fetchone()[0]
        return outbox, notes, queued

    def wait_empty(self, limit: float) -> tuple[float, tuple[int, int, int]]:
        """Seconds until nothing is left (seen twice, 0.2 s apart), at most `limit`."""
        began, seen = time.perf_counter(), 0
        while True:
            counts = self.counts()
            seen = seen + 1 if counts == (0, 0, 0) else 0
            elapsed = time.perf_counter() - began
            if seen >= 2 or elapsed > limit:
                return (elapsed if seen < 2 else max(0.0, elapsed - 0.2)), counts
            time.sleep(0.2)

    def close(self):
        self.conn.close()
        if self.db != "postgres":
            self.queue.close()


def wrk_count(url, seconds, connections, script=None):
    """wrk as bench/api.py runs it, plus the number of requests answered with 2xx."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run(cmd + [url], check=True, text=True, capture_output=True).stdout
    m = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    elapsed = float(m.group(2)) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[m.group(3)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    bad = int(errors.group(1)) if errors else 0
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    p99_ms = float(p99.group(1)) * {"us": 1e-3, "ms": 1, "s": 1e3}[p99.group(2)]
    return int(m.group(1)) - bad, elapsed, bad, p99_ms


@contextmanager
def locked(path: str | None):
    if not path:
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def median(values):
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def turn(tree: Tree, db: str, args, post: Path, measured: dict, warm: bool = False) -> None:
    """One tree's share of a round: ceiling, create (and its drain with --worker), list."""
    url = urls(tree.base)
    seconds = 2 if warm else args.duration
    backlog = Backlog(tree, db) if args.worker else None
    try:
        if args.worker:
            measured[tree.label, "worker start s"].append(start_worker(tree))
        cpu = tree_cpu(tree, db)
        ceiling = wrk(url["ceiling"], seconds, args.connections)
        now_cpu = tree_cpu(tree, db)
        used, cpu = now_cpu - cpu, now_cpu
        ceiling_cpu = 1000 * used / max(1.0, ceiling["rps"] * seconds)
        done, elapsed, bad, p99 = wrk_count(url["create"], seconds, args.connections, post)
        result = {"ceiling": ceiling["rps"], "create": done / elapsed, "create p99 ms": p99}
        if args.worker:
            left = backlog.counts()
            drain, counts = backlog.wait_empty(args.drain_limit)
            if counts != (0, 0, 0):
                print(f"<!-- {tree.label}: backlog not empty after {drain:.0f}s: "
                      f"outbox, notifications, queue = {counts} -->", flush=True)
            result.update({"create (wall, with drain)": done / (elapsed + drain),
                           "drain s": drain, "outbox at end of wrk": left[0]})
        create_cpu = 1000 * (tree_cpu(tree, db) - cpu) / max(1, done)
        cpu = tree_cpu(tree, db)
        listed = wrk(url["list"], seconds, args.connections)
        list_cpu = 1000 * (tree_cpu(tree, db) - cpu) / max(1.0, listed["rps"] * seconds)
        result["list"] = listed["rps"]
        result["list p99 ms"] = listed["p99"]
        result.update({"ceiling CPU ms": ceiling_cpu, "create CPU ms": create_cpu,
                       "list CPU ms": list_cpu})
        result["non-2xx"] = bad + listed["non2xx"] + ceiling["non2xx"]
        if not warm:
            for name, value in result.items():
                measured[tree.label, name].append(value)
    finally:
        if args.worker:
            stop(tree.worker)
            tree.worker = None
            backlog.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, help="the older tree")
    parser.add_argument("--cities", action="store_true",
                        help="one city against three, in this tree (issue 26)")
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--drain-limit", type=float, default=240)
    parser.add_argument("--state", type=Path, default=Path(tempfile.gettempdir()) / "sbs-state")
    parser.add_argument("--lock", help="flock this file around the timed part")
    parser.add_argument("--prepare-only", action="store_true")
    parser.add_argument("--port", type=int, default=8400, help="this tree's; the base's +1")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if args.cities:
        trees = [Tree("new", ROOT, 7, args.port, other_cities=list(OTHER_CENTRES)),
                 Tree("old", ROOT, 8, args.port + 1, packs=["kupang"])]
    elif args.base is None:
        sys.exit("--base or --cities")
    else:
        trees = [Tree("new", ROOT, 7, args.port),
                 Tree("old", args.base.resolve(), 8, args.port + 1)]
    prepared = {t.label: prepare(t, args.db, args.size, args.state) for t in trees}
    if args.prepare_only:
        for t in trees:
            print(t.label, (prepared[t.label] / "seed.txt").read_text().strip())
        return
    measured: dict = {}
    for t in trees:
        for name in ("ceiling", "create", "create p99 ms", "list", "list p99 ms", "non-2xx",
                     "create (wall, with drain)",
                     "drain s", "outbox at end of wrk", "worker start s", "ceiling CPU ms",
                     "create CPU ms", "list CPU ms"):
            measured[t.label, name] = []
    with tempfile.TemporaryDirectory(prefix="sbs-") as tmp:
        work = Path(tmp)
        for t in trees:
            restore(t, args.db, args.size, prepared[t.label], work)
        posts = {t.label: post_script(work / t.label, t.key) for t in trees}
        try:
            for t in trees:
                start_server(t, args.workers)
            with locked(args.lock):
                before = uptime()
                began = time.perf_counter()
                for t in trees:  # warm every worker on each path
                    turn(t, args.db, args, posts[t.label], measured, warm=True)
                for round_ in range(args.rounds):
                    for t in trees if round_ % 2 == 0 else trees[::-1]:
                        turn(t, args.db, args, posts[t.label], measured)
                minutes = (time.perf_counter() - began) / 60
                after = uptime()
        finally:
            for t in trees:
                stop(t.worker)
                stop(t.server)
    report(args, trees, measured, prepared, before, after, minutes)


def report(args, trees, measured, prepared, before, after, minutes):
    if args.cities:
        print("<!-- old = one city (Kota Kupang's pack only); new = three cities -->")
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} {args.db}, {args.size:,} reports, "
          f"{'with' if args.worker else 'without'} the worker; {platform.machine()} "
          f"{os.cpu_count()} cores, gunicorn {args.workers} sync workers per tree, "
          f"wrk -t1 -c{args.connections} -d{args.duration}s, {args.rounds} alternating rounds "
          f"({minutes:.1f} min)\n")
    print(f"<!-- uptime before: {before} -->\n<!-- uptime after: {after} -->")
    for t in trees:
        commit = subprocess.run(["git", "-C", str(t.root), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        seeded = (prepared[t.label] / "seed.txt").read_text().strip()
        print(f"<!-- {t.label} = {t.root} ({commit}): {seeded} -->")
    print("\n| endpoint | old req/s (range) | new req/s (range) | new/old of medians "
          "| median of rounds' new/old (range) |")
    print("|---|---:|---:|---:|---:|")
    names = ["ceiling", "create", "create p99 ms", "list", "list p99 ms", "ceiling CPU ms",
             "create CPU ms", "list CPU ms"]
    if args.worker:
        names[3:3] = ["create (wall, with drain)", "drain s", "outbox at end of wrk"]
    for name in names:
        old, new = measured["old", name], measured["new", name]
        ratios = [n / o for n, o in zip(new, old, strict=True) if o]
        fmt = ("{:,.2f}" if name.endswith("CPU ms") else "{:,.1f}"
               if name.endswith((" s", " ms")) else "{:,.0f}")

        def cell(values, fmt=fmt):
            return (f"{fmt.format(median(values))} "
                    f"({fmt.format(min(values))}–{fmt.format(max(values))})")

        ratio = (f"{100 * median(new) / median(old):.0f}%" if median(old) else "")
        rounds = (f"{100 * median(ratios):.0f}% ({100 * min(ratios):.0f}–"
                  f"{100 * max(ratios):.0f}%)" if ratios else "")
        print(f"| {name} | {cell(old)} | {cell(new)} | {ratio} | {rounds} |")
    print(f"\n<!-- non-2xx: old {sum(measured['old', 'non-2xx'])}, "
          f"new {sum(measured['new', 'non-2xx'])} -->")
    print("<!-- raw: " + json.dumps({f"{k[0]}:{k[1]}": [round(x, 2) for x in v]
                                     for k, v in measured.items() if v}) + " -->")


if __name__ == "__main__":
    main()
