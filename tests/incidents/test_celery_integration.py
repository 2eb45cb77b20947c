"""Real Celery worker and beat against Redis and the test database: escalation happens, exactly once,
across a worker crash and a broker outage."""

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from enyang_grid.celery import app as celery_app
from incidents.choices import Action, Level
from incidents.models import Category, Incident, IncidentEvent, TimeLimitPolicy
from tests import factories
from tests.incidents.factories import report

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A `celery worker -B` subprocess (its own process group) on the test database."""

    def __init__(self, tmp_path: Path, *, pause_ms: int = 0, name: str = "w"):
        env = os.environ.copy()
        env.update(
            DJANGO_SETTINGS_MODULE="enyang_grid.settings.test",
            TEST_DATABASE_URL=_database_url(),
            INCIDENTS_SWEEP_SECONDS="1",
            INCIDENTS_SWEEP_PAUSE_MS=str(pause_ms),
            INCIDENTS_SWEEP_BATCH="500",
        )
        self.log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "enyang_grid",
                "worker",
                "-B",
                "--pool=solo",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-s",
                str(tmp_path / f"{name}-beat-schedule"),
                "-l",
                "info",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL, as when the machine loses the worker mid-task: no clean shutdown, no ack."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def wait_for(condition, timeout: float = 60, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


@pytest.fixture
def workers(tmp_path):
    celery_app.control.purge()
    started = []

    def start(**kwargs):
        worker = Worker(tmp_path, name=f"w{len(started)}", **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    celery_app.control.purge()


@pytest.fixture
def seconds_policy(tree, categories):
    """A category whose acceptance limit at grid level is 3 seconds, so deadlines come while we watch."""
    category = Category.objects.get(code="0102")
    TimeLimitPolicy.objects.filter(category=category, level=Level.GRID).update(
        accept_amount=Decimal("0.05"), accept_unit="minutes"
    )
    return category


def switch_broker(url: str) -> None:
    """Point this process's Celery app at another broker, dropping its cached connections."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def escalations(incident) -> int:
    return IncidentEvent.objects.filter(incident=incident, action=Action.ESCALATE).count()


def test_a_deadline_seconds_away_escalates_through_the_real_worker_and_beat(tree, seconds_policy, workers):
    town_user = factories.UserFactory(role="town_staff", jurisdiction=tree["town_a"])
    workers()
    incident = report(tree["grid_v1"])
    assert incident.level == Level.GRID and incident.due_at <= timezone.now() + timezone.timedelta(seconds=4)

    wait_for(lambda: Incident.objects.get(pk=incident.pk).level == Level.TOWN, timeout=60)
    time.sleep(2.5)  # more sweeps run meanwhile: none may act again

    incident.refresh_from_db()
    assert incident.escalation_count == 1 and escalations(incident) == 1
    assert town_user.notifications.filter(key__startswith=f"incident:{incident.pk}:escalated").count() == 1


def test_a_worker_killed_during_a_sweep_loses_nothing_and_escalates_nothing_twice(
    tree, seconds_policy, workers
):
    incidents = [report(tree["grid_v1"]) for _ in range(20)]
    Incident.objects.filter(pk__in=[i.pk for i in incidents]).update(
        due_at=timezone.now() - timezone.timedelta(minutes=1)
    )

    slow = workers(pause_ms=400)  # each escalation is followed by a pause, so the kill lands mid-sweep
    done = lambda: Incident.objects.filter(pk__in=[i.pk for i in incidents], escalation_count__gt=0).count()  # noqa: E731
    wait_for(lambda: done() >= 3, timeout=60, interval=0.05)
    slow.kill()
    after_kill = done()
    assert after_kill < len(incidents), "the sweep finished before the kill; the test proves nothing"

    workers()
    wait_for(lambda: done() == len(incidents), timeout=90)
    time.sleep(2.5)
    for incident in incidents:
        incident.refresh_from_db()
        assert incident.escalation_count == 1 and incident.level == Level.TOWN
        assert escalations(incident) == 1


def test_an_incident_reported_while_the_broker_is_down_is_saved_and_escalated_once_it_returns(
    tree, seconds_policy, workers
):
    real_url = celery_app.conf.broker_url
    switch_broker("redis://127.0.0.1:1/0")  # nothing listens there
    try:
        incident = report(tree["grid_v1"])  # the countdown task cannot be queued: logged, not raised
    finally:
        switch_broker(real_url)
    assert Incident.objects.filter(pk=incident.pk, level=Level.GRID).exists()

    workers()  # the broker is back: beat's sweep finds the deadline on the row
    wait_for(lambda: Incident.objects.get(pk=incident.pk).level == Level.TOWN, timeout=60)
    incident.refresh_from_db()
    assert incident.escalation_count == 1 and escalations(incident) == 1
