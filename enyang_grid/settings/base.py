"""Settings shared by every environment; everything that differs is read from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("ENYANG_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-dev-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "mptt",
    "import_export",
    "axes",
    "core",
    "accounts",
    "grids",
    "workers",
    "incidents",
    "registry",
    "forces",
    "assessment",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "enyang_grid.urls"
WSGI_APPLICATION = "enyang_grid.wsgi.application"
ASGI_APPLICATION = "enyang_grid.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Embedded default: one SQLite file. DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'enyang_grid.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in policy (DOMAIN §9): lockout after repeated failures, idle timeout.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
AUDIT_RETENTION_DAYS = 190

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Key for protected personal data (ID and phone numbers). Fernet keys, newest first, comma-separated,
# so a key can be rotated; the hash key makes exact look-ups possible without decrypting.
PII_ENCRYPTION_KEYS = env_list("PII_ENCRYPTION_KEYS", "")
PII_HASH_KEY = os.environ.get("PII_HASH_KEY", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"public_report": "20/hour", "anon": "120/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "恩阳区网格化服务管理 API",
    "DESCRIPTION": "Enyang District grid-based service and management. Authenticate with `Authorization: Token …`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every app has its own `status`, `kind`, `level`…: name each choice set after its app and class.
    "ENUM_NAME_OVERRIDES": {
        "AssessmentSchemeStatusEnum": "assessment.choices.SchemeStatus",
        "AssessmentIndicatorSourceEnum": "assessment.choices.IndicatorSource",
        "AssessmentPeerFieldEnum": "assessment.choices.PeerField",
        "AssessmentGradeEnum": "assessment.choices.Grade",
        "AssessmentRunStatusEnum": "assessment.choices.RunStatus",
        "AssessmentAppealStatusEnum": "assessment.choices.AppealStatus",
        "AssessmentSubjectTypeEnum": "assessment.choices.SubjectType",
        "ForcesActivationStatusEnum": "forces.choices.ActivationStatus",
        "ForcesTaskKindEnum": "forces.choices.TaskKind",
        "ForcesTaskStatusEnum": "forces.choices.TaskStatus",
        "ForceSubtypeEnum": "forces.choices.ForceSubtype",
        "ForceKindEnum": "forces.choices.ForceKind",
        "ForcesMemberStatusEnum": "forces.choices.MemberStatus",
        "ForcesEmergencyTypeEnum": "forces.choices.EmergencyType",
        "ForcesEmergencyLevelEnum": "forces.choices.EmergencyLevel",
        "GridTypeEnum": "grids.choices.GridType",
        "GridsAreaKindEnum": "grids.choices.AreaKind",
        "GridsUrbanRuralClassEnum": "grids.choices.UrbanRuralClass",
        "GridsDepartmentGridKindEnum": "grids.choices.DepartmentGridKind",
        "IncidentsPhotoStageEnum": "incidents.choices.PhotoStage",
        "IncidentsLevelEnum": "incidents.choices.Level",
        "IncidentsSourceEnum": "incidents.choices.Source",
        "IncidentsSeverityEnum": "incidents.choices.Severity",
        "IncidentsStatusEnum": "incidents.choices.Status",
        "IncidentsSatisfactionEnum": "incidents.choices.Satisfaction",
        "IncidentsLimitUnitEnum": "incidents.choices.LimitUnit",
        "IncidentsSupervisionEnum": "incidents.choices.Supervision",
        "IncidentsExtensionStatusEnum": "incidents.choices.ExtensionStatus",
        "IncidentsActionEnum": "incidents.choices.Action",
        "RegistryResidentStatusEnum": "registry.choices.ResidentStatus",
        "RegistryRelationEnum": "registry.choices.Relation",
        "RegistryBuildingKindEnum": "registry.choices.BuildingKind",
        "RegistryOrganisationKindEnum": "registry.choices.OrganisationKind",
        "RegistryGroupCategoryEnum": "registry.choices.GroupCategory",
        "RegistryGroupTypeEnum": "registry.choices.GroupType",
        "RegistryResidenceTypeEnum": "registry.choices.ResidenceType",
        "RegistryVisitMethodEnum": "registry.choices.VisitMethod",
        "RegistryVisitStatusEnum": "registry.choices.VisitStatus",
        "WorkersAssignmentStatusEnum": "workers.choices.AssignmentStatus",
        "WorkersTrainingTopicEnum": "workers.choices.TrainingTopic",
        "WorkersPoliticalStatusEnum": "workers.choices.PoliticalStatus",
        "WorkersTrainingResultEnum": "workers.choices.TrainingResult",
        "WorkersEducationEnum": "workers.choices.Education",
        "WorkersEmploymentEnum": "workers.choices.Employment",
        "WorkerCategoryEnum": "workers.choices.WorkerCategory",
        "WorkersCertificateLevelEnum": "workers.choices.CertificateLevel",
        "WorkerStatusEnum": "workers.choices.WorkerStatus",
        "WorkersAgeBandEnum": "workers.choices.AgeBand",
        "GenderEnum": "workers.choices.Gender",  # registry.choices.Gender has the same values
        "WorkersAdmissionStatusEnum": "workers.choices.AdmissionStatus",
        "WorkersFrequencyEnum": "workers.choices.Frequency",
        "WorkersAssignmentLevelEnum": "workers.choices.AssignmentLevel",
    },
}

# Celery: embedded default is kombu's file-system transport, which needs no server.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    # The transport lists its folder on start; it must exist before the first worker does.
    try:
        _queue_dir.mkdir(parents=True, exist_ok=True)
        (VAR_DIR / "celery-processed").mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic tasks are declared per app in `<app>/schedule.py` and collected by enyang_grid.celery.
CELERY_BEAT_SCHEDULE: dict = {}

# Grid size guidance (DOMAIN §2/§3), configurable.
GRID_SIZE_GUIDANCE = {
    "households": (
        int(os.environ.get("GRID_MIN_HOUSEHOLDS", "100")),
        int(os.environ.get("GRID_MAX_HOUSEHOLDS", "300")),
    ),
    "population": (
        int(os.environ.get("GRID_MIN_POPULATION", "1000")),
        int(os.environ.get("GRID_MAX_POPULATION", "3000")),
    ),
}

MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

_ = _  # keep gettext_lazy importable for settings-level labels
