"""Thin Celery wrappers over the mobilisation services; every step is claimed per row, so reruns are harmless."""

from celery import shared_task

from . import services
from .models import Activation


@shared_task
def send_mobilisation_notices(activation_id: int) -> int:
    activation = Activation.objects.filter(pk=activation_id).first()
    if activation is None:
        return 0
    return services.mobilisation_send_notices(activation=activation)


@shared_task
def mobilisation_sweep() -> dict[str, int]:
    """Every minute: call-ups not sent yet (e.g. the broker was down), reminders, then leader alerts."""
    notices = services.mobilisation_send_notices()
    return {"notices": notices, **services.mobilisation_send_reminders()}
