import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "enyang_grid.settings.dev")

app = Celery("enyang_grid")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
