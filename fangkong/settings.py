"""Settings for fangkong, read only from environment variables.

Typed helpers fail loudly on malformed values, so a misconfigured deployment stops at
start-up instead of misbehaving later. With nothing set, the project runs on SQLite in
WAL mode under ``var/`` so that a fresh checkout just works.
"""

from __future__ import annotations

import os
import secrets
from datetime import date
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("FANGKONG_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_date(name: str) -> date | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a date (YYYY-MM-DD), got {raw!r}") from exc


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("FANGKONG_SITE_NAME", "安康市疫情防控指挥平台")
# Notices (core.services.notices): the dotted path of a callable send(notice) -> str | None
# that delivers a notice outside the app (an SMS gateway …); empty: notices are logged.
FANGKONG_NOTICE_SENDER = env_str("FANGKONG_NOTICE_SENDER", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "auditlog",
    "axes",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    # fangkong's modules, in the order their demo steps run and their home cards show:
    # a module after the ones it reads (reports prefills from checkpoints' indicators).
    "fangkong.core",
    "fangkong.checkpoints",
    "fangkong.resumption",
    "fangkong.reports",
    "fangkong.supplies",
    "fangkong.relief",
    "fangkong.volunteers",
    "fangkong.training",
    "fangkong.care",
    "fangkong.water",
    "fangkong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fangkong.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fangkong.core.middleware.IdleTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "fangkong.core.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fangkong.urls"
WSGI_APPLICATION = "fangkong.wsgi.application"

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
                "fangkong.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite (WAL, busy timeout, IMMEDIATE transactions) whichever way it is configured, by
# default or by DATABASE_URL=sqlite:///…: measured here, a read-then-write view at 32
# clients answered "database is locked" to 16% of requests without IMMEDIATE, none with
# it; 20 racing identical form submissions answered 51 × 500 when a sqlite:// URL left
# these options out.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
    ),
}
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("CONN_MAX_AGE", 600),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "fangkong.sqlite3")),
            # Persistent connections here too: opening one cost 2-3 ms of a ~4 ms request
            # in the checkpoint benchmark (docs/performance.md).
            "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 600),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Server-side binding (psycopg's ServerBindingCursor: parameters sent apart from the
    # SQL) and automatic prepared statements for every query, the ORM's included: a
    # statement run ``prepare_threshold`` times on a connection is then parsed and
    # planned once per connection instead of every request (the passage hot path,
    # docs/performance.md). Django binds client-side and leaves psycopg's threshold
    # unset (never prepare) unless OPTIONS say so. Behind a pooler in transaction mode
    # without prepared-statement support (PgBouncer < 1.21), set PG_PREPARED_STATEMENTS=0:
    # statements are then still bound server-side, unnamed, which every pooler supports.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "server_side_binding": True,
        "prepare_threshold": 5 if env_bool("PG_PREPARED_STATEMENTS", True) else None,
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failed logins (django-axes, core/lockout.py): per account from
# any address, and per address over any accounts (password spraying), each for a
# cool-off after the last counted failure; failures while locked do not extend it.
AXES_FAILURE_LIMIT = env_int("FANGKONG_LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("FANGKONG_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("FANGKONG_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # the order LockoutHandler reads
AXES_HANDLER = "fangkong.core.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "fangkong.core.lockout.lockout_response"
AXES_VERBOSE = False
# Reverse proxies in front of gunicorn that append to X-Forwarded-For (0: none, the
# client is REMOTE_ADDR). Lockouts, limits on anonymous forms and audit logs all take the
# client's address from core.clients.client_address.
FANGKONG_PROXY_COUNT = env_int("FANGKONG_PROXY_COUNT", 0)
# The public address residents' phones reach (QR posters print it); default: the
# address the page was opened on.
FANGKONG_PUBLIC_URL = env_str("FANGKONG_PUBLIC_URL")
AXES_CLIENT_IP_CALLABLE = "fangkong.core.clients.client_address"

# Sessions expire after FANGKONG_IDLE_MINUTES without a request (see IdleTimeoutMiddleware).
SESSION_IDLE_SECONDS = env_int("FANGKONG_IDLE_MINUTES", 30) * 60
SESSION_COOKIE_AGE = env_int("FANGKONG_SESSION_MAX_HOURS", 12) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("FANGKONG_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600  # the language choice outlives the browser session
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("FANGKONG_BEHIND_TLS_PROXY", False) else None
)
SECURE_SSL_REDIRECT = env_bool("FANGKONG_SSL_REDIRECT", False)
# HSTS follows the secure cookies: a deployment that says it is served over HTTPS tells
# browsers to use nothing else for a year (Django sends it on HTTPS requests only; behind
# a TLS proxy that needs FANGKONG_BEHIND_TLS_PROXY). FANGKONG_HSTS_SECONDS=0 turns it off.
SECURE_HSTS_SECONDS = env_int("FANGKONG_HSTS_SECONDS", 365 * 24 * 3600 if SECURE_COOKIES else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FANGKONG_HSTS_SUBDOMAINS", False)
# Content-Security-Policy (core.middleware.SecurityHeadersMiddleware): scripts and styles
# only from our own static files, no inline script, no inline style, no eval, no framing.
# Templates use data- attributes read by static/js/ui.js instead of onclick= or style=.
_CSP_BASE = (
    "default-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "
    "worker-src 'self'"
)
FANGKONG_CSP = f"{_CSP_BASE}; script-src 'self'; style-src 'self'"
FANGKONG_CSP_BY_PATH = {
    # Swagger UI (served as a page plus a separate script, SpectacularSwaggerSplitView)
    # and the Django admin write style="" attributes and <style> blocks.
    "/api/v1/docs": f"{_CSP_BASE}; script-src 'self'; style-src 'self' 'unsafe-inline'",
    "/django-admin/": f"{_CSP_BASE}; script-src 'self'; style-src 'self' 'unsafe-inline'",
}
# No page uses the camera (the duty screen types the ID number; QR codes are scanned by
# the residents' own phone camera app, outside the browser), the microphone or location.
FANGKONG_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
)

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------
# Compressed but not manifest storage: manifest storage breaks tests that skip collectstatic.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS: list[Path] = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = DEBUG

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fangkong.core.api.auth.BearerTokenAuthentication",
        "fangkong.core.api.auth.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "fangkong.core.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["fangkong.core.api.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "fangkong API",
    "DESCRIPTION": "Epidemic-prevention command platform: territory, people, reporting, modules.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs need a login (session or bearer token), DEBUG or not.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI and Redoc from the drf-spectacular-sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # ``<id:pk>`` (core/converters.py): an integer from 1 to a bigint.
    "PATH_CONVERTER_OVERRIDES": {"id": {"type": "integer", "format": "int64", "minimum": 1,
                                        "maximum": 2**63 - 1}},
}
API_TOKEN_DAYS = env_int("FANGKONG_API_TOKEN_DAYS", 30)
# A token unused for this many days stops working before its lifetime ends (0: never).
API_TOKEN_IDLE_DAYS = env_int("FANGKONG_API_TOKEN_IDLE_DAYS", 7)
# The one largest page any API list answers (core/api/paging.py); a larger page_size is 400.
API_MAX_PAGE_SIZE = env_int("FANGKONG_API_MAX_PAGE_SIZE", 500)
# How long a worker process may answer a dated rule from its cache (core/rules.py,
# ``values_on``); a change made in the process clears it at once. 0: no cache.
FANGKONG_RULES_CACHE_SECONDS = env_int("FANGKONG_RULES_CACHE_SECONDS", 30)

# --- Background jobs (fangkong/core/jobs, docs/decisions/jobs.md) -----------------------
# The task queue: "database" (the default: the tasks table of this database, SQLite or
# PostgreSQL, no other server) or "rq" (Redis, FANGKONG_REDIS_URL, for several app servers).
TASKS_BACKEND = env_str("FANGKONG_TASKS_BACKEND", "database")
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": env_str("FANGKONG_REDIS_URL", "redis://127.0.0.1:6379/0")}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured("FANGKONG_TASKS_BACKEND is 'database' or 'rq'.")
# Result files of export jobs and uploads waiting for their import job.
FANGKONG_JOBS_DIR = Path(env_str("FANGKONG_JOBS_DIR", str(VAR_DIR / "jobs")))
# An export of fewer rows answers in the request; more goes to a job.
FANGKONG_EXPORT_DIRECT_ROWS = env_int("FANGKONG_EXPORT_DIRECT_ROWS", 2000)
# An import file of this size or more is checked, then imported, by jobs.
FANGKONG_IMPORT_DIRECT_BYTES = env_int("FANGKONG_IMPORT_DIRECT_BYTES", 256 * 1024)
# How long an export file can be downloaded; then the scheduler deletes it.
FANGKONG_EXPORT_KEEP_HOURS = env_int("FANGKONG_EXPORT_KEEP_HOURS", 72)
# A running job whose heartbeat is older is re-queued (or failed after the attempts).
FANGKONG_JOB_DEAD_SECONDS = env_int("FANGKONG_JOB_DEAD_SECONDS", 300)
FANGKONG_JOB_MAX_ATTEMPTS = env_int("FANGKONG_JOB_MAX_ATTEMPTS", 3)
# How often a running job writes its progress (and heartbeat).
FANGKONG_JOB_PROGRESS_SECONDS = env_int("FANGKONG_JOB_PROGRESS_SECONDS", 1)

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- Audit ----------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Masked fields (ID number, phone, address) are stored fully masked in the change history:
# auditlog's default keeps half of the value, which for an ID number is the birth date.
AUDITLOG_MASK_CALLABLE = "fangkong.core.audit.mask_fully"

# --- Backups and retention (docs/operations.md, docs/decisions/security-backup-retention.md)
# Where ``fangkong backup`` writes its timestamped files; the PostgreSQL client tools'
# directory when pg_dump/pg_restore on PATH are older than the server.
FANGKONG_BACKUP_DIR = Path(env_str("FANGKONG_BACKUP_DIR", str(VAR_DIR / "backups")))
FANGKONG_PG_BIN = env_str("FANGKONG_PG_BIN")
# The day the emergency ended (unset: it has not) and how many days after it
# ``fangkong retention`` keeps the personal data of people met only at checkpoints.
FANGKONG_EMERGENCY_ENDED = env_date("FANGKONG_EMERGENCY_ENDED")
FANGKONG_RETENTION_DAYS = env_int("FANGKONG_RETENTION_DAYS", 30)

# Tests switch to a fast hasher (see conftest.py); production keeps Argon2.
