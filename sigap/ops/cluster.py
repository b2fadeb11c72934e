"""A Sigap cluster on this machine: `make serve-cluster` (python -m sigap.ops.cluster).

    nginx (load balancer) on PORT
      ├─ web-1: gunicorn on PORT+1 ┐
      └─ web-2: gunicorn on PORT+2 ┤  PostgreSQL (the local server, a database of its own)
    worker-1, worker-2: Huey       ┤  Redis (cache in db N, queue in N + 1)
                                   └─ S3 endpoint for photos on PORT+9 (moto, a stand-in)

Every process gets the same environment, written to var/cluster/env (so that `sigap`
commands run against the cluster: `env $(cat var/cluster/env) .venv/bin/sigap shell`), and
var/cluster/nodes.json lists each process's role, port and pid. Ctrl-C (or SIGTERM) stops
everything this started. The cluster test (tests/cluster/) and bench/cluster.py drive the
same class: kill a node, start it again, read the database.

Nothing here imports Django: it starts processes that do.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
S3_BUCKET = "sigap-photos"
# moto's server accepts any key; these name it plainly as the local stand-in.
S3_KEY, S3_SECRET = "local-stand-in", "local-stand-in-secret"


@dataclass
class Node:
    name: str
    role: str  # lb, web, worker, s3
    port: int | None
    command: list[str]
    env: dict = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None


class Cluster:
    """Start, kill, restart and stop the processes of a local cluster."""

    def __init__(self, *, port: int, database_url: str, redis_url: str, var: Path,
                 web: int = 2, workers: int = 2, gunicorn_workers: int = 2,
                 worker_threads: int = 2, extra_env: dict | None = None, tag: str = "",
                 nginx: str = "nginx"):
        self.port, self.var = port, var
        self.database_url, self.redis_url = database_url, redis_url
        self.url = f"http://127.0.0.1:{port}"
        self.s3_port = port + 9
        self.s3_url = f"http://127.0.0.1:{self.s3_port}"
        self.nginx = nginx
        self.logs = var / "logs"
        tag = tag or "cluster"
        var.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        self.env = {
            "SIGAP_ENV": "development", "SIGAP_DEBUG": "0",
            "SIGAP_SECRET_KEY_FILE": str(var / "secret_key"),
            "SIGAP_VAR_DIR": str(var / "shared"),
            "SIGAP_STATIC_ROOT": str(var / "static"),
            "DATABASE_URL": database_url, "REDIS_URL": redis_url,
            "SIGAP_CACHE_PREFIX": tag, "SIGAP_HUEY_NAME": tag,
            "SIGAP_S3_BUCKET": S3_BUCKET, "SIGAP_S3_ENDPOINT_URL": self.s3_url,
            "SIGAP_S3_ACCESS_KEY": S3_KEY, "SIGAP_S3_SECRET_KEY": S3_SECRET,
            "SIGAP_S3_REGION": "us-east-1",
            # The load balancer is the one proxy whose X-Forwarded-For is believed.
            "SIGAP_TRUSTED_PROXIES": "127.0.0.1",
            "SIGAP_SITE_URL": self.url, "SIGAP_LOG_FORMAT": "json",
            "SIGAP_WORKERS": str(worker_threads),
            **(extra_env or {}),
        }
        self.nodes: list[Node] = []
        self.extra: list[Node] = []
        for n in range(1, web + 1):
            self.nodes.append(self._web(n, port + n, gunicorn_workers))
        for n in range(1, workers + 1):
            self.nodes.append(Node(f"worker-{n}", "worker", None,
                                   [str(BIN / "sigap"), "run_huey"]))
        self.s3 = Node("s3", "s3", self.s3_port, [str(BIN / "moto_server"), "-H", "127.0.0.1",
                                                  "-p", str(self.s3_port)])
        self.lb = Node("lb", "lb", port, [nginx, "-p", str(var / "nginx"), "-c",
                                           str(var / "nginx" / "nginx.conf")])

    def _web(self, n: int, port: int, gunicorn_workers: int) -> Node:
        home = self.var / f"web-{n}"
        return Node(f"web-{n}", "web", port, [
            str(BIN / "gunicorn"), "sigap.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(gunicorn_workers), "--timeout", "60",
            "-c", "python:sigap.ops.gunicorn_conf",
            # gunicorn 27 opens a control socket at one path in the home directory by
            # default: two nodes on one machine would share it. Each node its own.
            "--control-socket", str(home / "gunicorn.ctl"),
            "--access-logfile", "-",
        ], env={"PROMETHEUS_MULTIPROC_DIR": str(home / "prometheus")})

    # --- processes ---------------------------------------------------------------------

    def _spawn(self, node: Node) -> None:
        if node.role == "web":
            (self.var / node.name).mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"{node.name}.log", "ab")
        node.proc = subprocess.Popen(node.command, env={**os.environ, **self.env, **node.env},
                                     cwd=ROOT, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        log.close()

    def sigap(self, *args: str, timeout: float = 600, env: dict | None = None) -> str:
        """Run a `sigap` command against the cluster (`env` overriding some of its settings);
        return what it printed."""
        done = subprocess.run([str(BIN / "sigap"), *args],
                              env={**os.environ, **self.env, **(env or {})},
                              cwd=ROOT, capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"sigap {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout.strip()

    def start(self, *, setup: tuple[str, ...] = ("setup", "--demo-data-later")) -> None:
        """Create the database if missing, start S3, set up Sigap, then the nodes and the
        load balancer; write nodes.json and env."""
        check_redis(self.redis_url)
        create_database(self.database_url)
        self._spawn(self.s3)
        wait_for(self.s3_url, what="the S3 endpoint")
        create_bucket(self.s3_url, S3_BUCKET)
        if setup:
            print(self.sigap(*setup), flush=True)
        for node in self.nodes:
            self._spawn(node)
        for node in self.web_nodes:
            wait_for(f"http://127.0.0.1:{node.port}/readyz", what=node.name)
        self.write_nginx_conf()
        self._spawn(self.lb)
        wait_for(self.url + "/readyz", what="the load balancer")
        self.write_state()

    @property
    def web_nodes(self) -> list[Node]:
        return [n for n in self.nodes if n.role == "web"]

    @property
    def workers(self) -> list[Node]:
        return [n for n in self.nodes if n.role == "worker"]

    def node(self, name: str) -> Node:
        return next(n for n in [*self.nodes, *self.extra, self.s3, self.lb] if n.name == name)

    def kill(self, name: str) -> None:
        """SIGKILL a node's whole process group (gunicorn's workers too): no clean exit."""
        node = self.node(name)
        if node.proc is None:
            return
        try:
            os.killpg(node.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        node.proc.wait()

    def restart(self, name: str, *, wait: bool = True) -> None:
        node = self.node(name)
        self._spawn(node)
        if wait and node.role == "web":
            wait_for(f"http://127.0.0.1:{node.port}/readyz", what=name)
        self.write_state()

    def spawn_extra_web(self, name: str, port: int, *, env: dict | None = None) -> Node:
        """Start one more web node (on other settings: a restored copy) and wait for it."""
        node = self._web(0, port, 1)
        node.name, node.env = name, {**node.env, **(env or {})}
        node.command[node.command.index("--control-socket") + 1] = str(
            self.var / name / "gunicorn.ctl")
        node.env["PROMETHEUS_MULTIPROC_DIR"] = str(self.var / name / "prometheus")
        (self.var / name).mkdir(parents=True, exist_ok=True)
        self.extra.append(node)
        self._spawn(node)
        wait_for(f"http://127.0.0.1:{port}/readyz", what=name)
        return node

    def stop(self) -> None:
        """Stop everything this started: the load balancer first, S3 last."""
        order = [self.lb, *self.web_nodes, *self.extra, *self.workers, self.s3]
        for node in order:
            if node.proc and node.proc.poll() is None:
                try:
                    os.killpg(node.proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for node in order:
            if node.proc:
                try:
                    node.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(node.proc.pid, signal.SIGKILL)
                    node.proc.wait()

    # --- files -------------------------------------------------------------------------

    def write_state(self) -> None:
        nodes = [{"role": n.role, "name": n.name, "port": n.port, "pid": n.pid}
                 for n in [self.lb, *self.nodes, self.s3]]
        db, redis = urlsplit(self.database_url), urlsplit(self.redis_url)
        # The local servers are not started here: no pid of ours.
        nodes += [{"role": "postgres", "name": "postgres", "port": db.port or 5432, "pid": None},
                  {"role": "redis", "name": "redis", "port": redis.port or 6379, "pid": None}]
        (self.var / "nodes.json").write_text(json.dumps(nodes, indent=2) + "\n")
        (self.var / "env").write_text("".join(f"{k}={v}\n" for k, v in sorted(self.env.items())))

    def use_web_nodes(self, count: int) -> None:
        """Point the load balancer at the first `count` web nodes (nginx reloads its
        configuration without dropping connections)."""
        self.write_nginx_conf(count)
        subprocess.run([*self.lb.command, "-s", "reload"], check=True, capture_output=True)
        time.sleep(1)  # the old nginx worker finishes its requests

    def write_nginx_conf(self, count: int | None = None) -> None:
        home = self.var / "nginx"
        temp = home / "temp"
        temp.mkdir(parents=True, exist_ok=True)
        as_root = os.geteuid() == 0
        if as_root:  # nginx's workers drop to nobody: their temporary files must be theirs
            temp.chmod(0o1777)
        servers = "\n".join(f"        server 127.0.0.1:{n.port} max_fails=1 fail_timeout=3s;"
                            for n in self.web_nodes[:count])
        template = (ROOT / "deploy" / "cluster-nginx.conf").read_text()
        conf = (template.replace("{user}", "user nobody nogroup;" if as_root else "")
                .replace("{home}", str(home)).replace("{temp}", str(temp))
                .replace("{port}", str(self.port)).replace("{servers}", servers)
                .replace("{logs}", str(self.logs)))
        (home / "nginx.conf").write_text(conf)


# --- the local servers -----------------------------------------------------------------------

def create_database(url: str) -> bool:
    """Create the database `url` names on its server when it is missing; return True if so."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def check_redis(url: str) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        raise RuntimeError(f"Redis does not answer at {url} ({exc}): start it "
                           "(redis-server) or set SIGAP_CLUSTER_REDIS_URL") from None


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def create_bucket(endpoint: str, bucket: str) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=S3_KEY,
                      aws_secret_access_key=S3_SECRET, region_name="us-east-1")
    if bucket not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
        s3.create_bucket(Bucket=bucket)
    # Pages link photos by plain URL (SIGAP_S3_*: no signed query strings), so browsers read
    # them without a key, as from a production bucket set up the same way (docs/deploy.md).
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{bucket}/*"}]}))


def wait_for(url: str, *, what: str, seconds: float = 90) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer at {url} within {seconds:.0f} s")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--database-url", default=os.environ.get(
        "SIGAP_CLUSTER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sigap_cluster"))
    parser.add_argument("--redis-url", default=os.environ.get(
        "SIGAP_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/8"))
    parser.add_argument("--var", type=Path, default=ROOT / "var" / "cluster")
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    args = parser.parse_args(argv)
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        sys.exit("nginx is missing: `make serve-cluster` installs it (Debian's nginx-light)")
    cluster = Cluster(port=args.port, database_url=args.database_url,
                      redis_url=args.redis_url, var=args.var,
                      gunicorn_workers=args.gunicorn_workers,
                      nginx=shutil.which("nginx") or "/usr/sbin/nginx",
                      tag=f"cluster{args.port}")
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        cluster.start()
        print(f"Sigap cluster: {cluster.url}/  (nodes: {args.var / 'nodes.json'}; "
              f"sigap commands: env $(cat {args.var / 'env'}) .venv/bin/sigap …)", flush=True)
        while True:
            for node in [cluster.lb, *cluster.nodes, cluster.s3]:
                if node.proc and node.proc.poll() is not None:
                    print(f"{node.name} exited ({node.proc.returncode}); see "
                          f"{cluster.logs / (node.name + '.log')}", flush=True)
                    node.proc = None
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C must not leave half the cluster running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        print("Stopping the cluster …", flush=True)
        cluster.stop()


if __name__ == "__main__":
    main()
