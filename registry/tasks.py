from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_visit_reminders() -> dict[str, int]:
    """Daily: remind workers of visits due and village staff of visits overdue (once per visit; idempotent)."""
    return services.visit_reminders_send()
