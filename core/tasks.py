from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import AuditLog


@shared_task
def prune_audit_log() -> int:
    """Drop audit rows older than the retention period (at least six months, DOMAIN §9)."""
    cutoff = timezone.now() - timedelta(days=max(settings.AUDIT_RETENTION_DAYS, 183))
    deleted, _ = AuditLog.objects.filter(at__lt=cutoff).delete()
    return deleted
