from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Every morning before work (Asia/Shanghai); a second run the same day sends nothing twice.
    "registry.visit-reminders": {
        "task": "registry.tasks.send_visit_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
}
