"""`make test` stops with a plain message, not a stack trace, when a service cannot be reached or started."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_check(**env):
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_services.py")],
        env={**os.environ, "PATH": "/nonexistent", **env},  # nothing on PATH can start a service
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_missing_service_is_named_with_the_command_that_starts_it():
    result = run_check(TEST_REDIS_URL="redis://127.0.0.1:1/0")
    assert result.returncode == 1
    assert "Redis is needed by the test suite and is not reachable on 127.0.0.1:1" in result.stderr
    assert "redis-server --daemonize yes" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "PostgreSQL" not in result.stderr  # the one that answers is not blamed


def test_reachable_services_pass():
    assert run_check().returncode == 0
