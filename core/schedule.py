from celery.schedules import crontab

BEAT_SCHEDULE = {
    "core.prune-audit-log": {"task": "core.tasks.prune_audit_log", "schedule": crontab(hour=3, minute=17)},
}
