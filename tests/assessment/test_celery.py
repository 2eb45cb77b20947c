import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from assessment import services
from assessment.choices import RunStatus
from assessment.models import AssessmentRun
from enyang_grid.celery import app

from .conftest import grid_scheme


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_queued_computation_is_run_by_a_celery_worker_through_the_broker(tree):
    """The real path: the service queues the task on commit, a worker takes it from Redis and computes."""
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            run = services.run_start(scheme=grid_scheme())
        for _ in range(100):
            run = AssessmentRun.objects.get(pk=run.pk)
            if not run.is_computing:
                break
            time.sleep(0.1)
    assert run.status == RunStatus.DRAFT
    assert (run.progress_done, run.progress_total) == (3, 3)
    assert run.results.count() == 3
