import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enyang_grid.settings.dev")

app = Celery("enyang_grid")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _collect_beat_schedules(sender, **kwargs):
    """Each app declares its periodic tasks in `<app>/schedule.py` as BEAT_SCHEDULE; beat runs their union."""
    from django.conf import settings

    from core.modules import import_optional

    # Updated in place: with the CELERY_ namespace, assigning conf.beat_schedule would be shadowed by settings.
    schedule = sender.conf.beat_schedule
    for app_name in settings.INSTALLED_APPS:
        module = import_optional(f"{app_name}.schedule")
        if module is not None:
            schedule.update(getattr(module, "BEAT_SCHEDULE", {}))
