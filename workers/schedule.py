from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Temporary admission items expire the day after their end date; run hourly so a restart loses nothing.
    "workers.expire-admission-items": {
        "task": "workers.tasks.expire_admission_items",
        "schedule": crontab(minute=7),
    },
}
