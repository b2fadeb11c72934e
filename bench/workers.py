"""How many gunicorn sync workers: two servers on one database, measured in alternation.

    .venv/bin/python bench/workers.py [--db sqlite] [--size 1000] [--workers 2,4]

One database (as bench/api.py prepares it: `sigap setup --no-demo`, bench/seed.py, an API
key), one gunicorn per worker count on its own port, both running throughout; then --rounds
rounds, each measuring every server in turn (the order reversed every other round) on the
ceiling, the create and the cached list, wrk as in bench/api.py. An idle server costs
nothing, so the servers see the same machine within seconds of each other: the comparison
this VM's drift over minutes would otherwise swamp. Prints the median request rate per
server and endpoint with the range, and the create's and list's share of the ceiling of the
same round.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api import post_script, prepare, start_server, stop, urls, wrk  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite", choices=("sqlite", "postgres"))
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--workers", default="2,4")
    parser.add_argument("--duration", type=int, default=6)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    counts = args.workers.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        env, _, api_key = prepare(args.db, args.size, Path(tmp))
        post = post_script(Path(tmp), api_key)
        servers = {}
        try:
            for i, count in enumerate(counts):
                servers[count] = start_server(env, 8500 + i, int(count))

            def endpoints(base):
                url = urls(base)
                return {"ceiling": (url["ceiling"], None), "create": (url["create"], post),
                        "list": (url["list"], None)}

            for _, base in servers.values():  # warm every worker on each path
                for url, script in endpoints(base).values():
                    wrk(url, 2, args.connections, script)
            measured = {(c, name): [] for c in counts for name in endpoints("")}
            for round_ in range(args.rounds):
                for count in counts if round_ % 2 == 0 else counts[::-1]:
                    for name, (url, script) in endpoints(servers[count][1]).items():
                        measured[count, name].append(
                            wrk(url, args.duration, args.connections, script)["rps"])
        finally:
            for server, _ in servers.values():
                stop(server)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} {args.db}, {args.size:,} reports, "
          f"{os.cpu_count()} cores, wrk -c{args.connections} -d{args.duration}s, "
          f"{args.rounds} alternating rounds\n")
    print("| workers | endpoint | median req/s | rounds' range | share of the round's ceiling |")
    print("|---:|---|---:|---:|---:|")
    for count in counts:
        for name, rates in ((n, measured[count, n]) for n in ("ceiling", "create", "list")):
            shares = sorted(r / c for r, c in zip(rates, measured[count, "ceiling"],
                                                  strict=True))
            share = "" if name == "ceiling" else (
                f"{100 * shares[len(shares) // 2]:.0f}% "
                f"({100 * shares[0]:.0f}–{100 * shares[-1]:.0f}%)")
            print(f"| {count} | {name} | {sorted(rates)[len(rates) // 2]:,.0f} | "
                  f"{min(rates):,.0f}–{max(rates):,.0f} | {share} |")


if __name__ == "__main__":
    main()
