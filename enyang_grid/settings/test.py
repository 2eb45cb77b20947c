"""The test suite: real PostgreSQL and Redis, as CI has them."""

import os

import dj_database_url

from .base import *  # noqa: F401,F403

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/enyang_grid")
    )
}
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("PYTEST_XDIST_WORKER", "main"),
    }
}
CELERY_BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", REDIS_URL)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = False
# xdist workers share one Redis: each gets its own queue, so a test's Celery worker (and its purge)
# never takes another test process's tasks, which run against another test database.
CELERY_TASK_DEFAULT_QUEUE = f"celery-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PII_ENCRYPTION_KEYS = ["5kztFiJV7xgtXafRY5GL0eXgi3hJmEuPlq8r2wflfKY="]
PII_HASH_KEY = "test-hash-key"
AXES_ENABLED = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "zh-hans"
