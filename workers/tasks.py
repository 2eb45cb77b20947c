from celery import shared_task

from . import services


@shared_task
def expire_admission_items() -> int:
    """Expire the temporary admission items whose end date has passed (idempotent)."""
    return services.admission_items_expire_due()
