"""`make run`: the web server, a Celery worker and Celery beat together; one Ctrl-C stops all three."""

import os
import signal
import subprocess
import sys
import time

PY = sys.executable
PORT = os.environ.get("PORT", "8000")


def main() -> int:
    env = dict(os.environ)
    commands = {
        "web": [PY, "manage.py", "runserver", f"127.0.0.1:{PORT}", "--noreload"],
        "worker": [
            PY,
            "-m",
            "celery",
            "-A",
            "enyang_grid",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--pool=threads",
        ],
        "beat": [PY, "-m", "celery", "-A", "enyang_grid", "beat", "--loglevel=INFO"],
    }
    procs = {name: subprocess.Popen(cmd, env=env, start_new_session=True) for name, cmd in commands.items()}
    print(
        f"enyang_grid: http://127.0.0.1:{PORT}/  (web, Celery worker and beat running; Ctrl-C stops all)",
        flush=True,
    )

    def stop(*_):
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    signal.signal(signal.SIGTERM, lambda *a: (stop(), sys.exit(0)))
    try:
        while True:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"{name} stopped (exit {proc.returncode}); stopping the others.", file=sys.stderr)
                    stop()
                    return proc.returncode or 1
            time.sleep(1)
    except KeyboardInterrupt:
        stop()
        return 0


if __name__ == "__main__":
    sys.exit(main())
