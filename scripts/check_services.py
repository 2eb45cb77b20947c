"""Before the test suite: make sure PostgreSQL and Redis answer; start them when this machine can.

Stops with a plain message (no stack trace) naming the missing service and how to start it.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.5):
            return True
    except OSError:
        return False


def wait_for(host: str, port: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if reachable(host, port):
            return True
        time.sleep(0.5)
    return False


def start_postgres(port: int) -> bool:
    if not (shutil.which("pg_ctlcluster") and os.path.isdir("/etc/postgresql")):
        return False
    for version in sorted(os.listdir("/etc/postgresql")):
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"]
        subprocess.run(command, capture_output=True, check=False)
    return True


def start_redis(port: int) -> bool:
    if not shutil.which("redis-server"):
        return False
    command = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", str(port)]
    subprocess.run([*command, "--save", "", "--appendonly", "no"], capture_output=True, check=False)
    return True


def main() -> int:
    pg = urlparse(os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/enyang_grid"))
    redis = urlparse(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
    services = [
        (
            "PostgreSQL",
            pg.hostname or "127.0.0.1",
            pg.port or 5432,
            start_postgres,
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start   (or set TEST_DATABASE_URL)",
        ),
        (
            "Redis",
            redis.hostname or "127.0.0.1",
            redis.port or 6379,
            start_redis,
            'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no   (or set TEST_REDIS_URL)',
        ),
    ]
    missing = []
    for name, host, port, start, how in services:
        if reachable(host, port):
            continue
        print(f"{name} is not answering on {host}:{port}; trying to start it…")
        local = host in ("127.0.0.1", "localhost", "::1")
        if not (local and start(port) and wait_for(host, port)):
            missing.append((name, host, port, how))
    for name, host, port, how in missing:
        print(
            f"\n{name} is needed by the test suite and is not reachable on {host}:{port}.\nStart it with:\n  {how}\n",
            file=sys.stderr,
        )
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
