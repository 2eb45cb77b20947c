from celery import shared_task


@shared_task(acks_late=True)
def compute_run(run_id: int) -> str:
    """Compute one queued result version; a second delivery of the same message does nothing."""
    from .models import AssessmentRun
    from .services import run_compute

    run = AssessmentRun.objects.filter(pk=run_id).first()
    if run is None:
        return "missing"
    return run_compute(run=run).status
