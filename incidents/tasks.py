"""Thin Celery wrappers over the deadline sweep (acks late and requeued on worker loss: see settings)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def sweep_deadlines() -> dict:
    """Every minute (incidents/schedule.py): escalate overdue incidents and raise due yellow warnings."""
    return services.deadline_sweep()


@shared_task(ignore_result=True)
def check_incident_deadline(incident_id: int) -> dict:
    """Queued with a countdown for a deadline minutes away; a no-op if the deadline moved or was acted on."""
    return services.deadline_sweep(pk=incident_id)
