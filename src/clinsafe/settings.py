"""The one settings module, configured from the environment.

CLINSAFE_ENV          "development" (default) or "production"
CLINSAFE_DATA_DIR     folder for the SQLite database and the local secret key (default var/)
DATABASE_URL          any database: sqlite:///path or postgres://user:pass@host:port/name
CLINSAFE_SECRET_KEY   required in production; in development one is made in the data folder
CLINSAFE_ALLOWED_HOSTS comma-separated host names (production)
CLINSAFE_DEBUG        "1"/"0"; defaults to on in development, off in production
CLINSAFE_AUDIT_KEY    key that signs the audit trail (or CLINSAFE_AUDIT_KEY_FILE, default
                      <data dir>/audit_key); in development a key file is made if missing;
                      in production it must be at least 32 bytes
CLINSAFE_AUDIT_CHECKPOINT  file the audit chain's signed checkpoint is kept in (default
                      <data dir>/audit-checkpoint.json); keep it off the database's server
CLINSAFE_SSL_REDIRECT "1"/"0": redirect HTTP to HTTPS in production (default 1)
CLINSAFE_SITE_URL     the address people reach clinsafe at, for links in emails
CLINSAFE_HEALTH_THRESHOLDS  JSON object overriding the CSO health check's thresholds, e.g.
                      {"review_at_risk_days": 60} (names in clinsafe.health.needs.Thresholds)
CLINSAFE_EMAIL_HOST   SMTP server for notification emails (none: in-app notifications only);
                      with CLINSAFE_EMAIL_PORT (25), CLINSAFE_EMAIL_USER, CLINSAFE_EMAIL_PASSWORD,
                      CLINSAFE_EMAIL_TLS ("1"/"0") and CLINSAFE_EMAIL_FROM
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true/false), not {value!r}.")


PACKAGE_DIR = Path(__file__).resolve().parent
CHECKOUT_DIR = PACKAGE_DIR.parent.parent

CLINSAFE_ENV = os.environ.get("CLINSAFE_ENV", "development")
if CLINSAFE_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"CLINSAFE_ENV must be 'development' or 'production', not {CLINSAFE_ENV!r}."
    )
PRODUCTION = CLINSAFE_ENV == "production"
DEBUG = _flag("CLINSAFE_DEBUG", default=not PRODUCTION)

DATA_DIR = Path(os.environ.get("CLINSAFE_DATA_DIR") or CHECKOUT_DIR / "var").resolve()


def _key(name: str, file_name: str) -> str:
    """A secret from the environment, or from its key file (made in development)."""
    key = os.environ.get(name, "")
    if key:
        return key
    key_file = Path(os.environ.get(f"{name}_FILE") or DATA_DIR / file_name)
    if key_file.exists():
        return key_file.read_text().strip()
    if PRODUCTION:
        raise ImproperlyConfigured(
            f"{name} (or a key file at {name}_FILE) must be set when CLINSAFE_ENV=production."
        )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text(secrets.token_urlsafe(50))
    key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _key("CLINSAFE_SECRET_KEY", "secret_key")
# Signs the audit trail; kept outside the database so a database edit cannot re-sign it.
AUDIT_KEY = _key("CLINSAFE_AUDIT_KEY", "audit_key").encode()
if PRODUCTION and len(AUDIT_KEY) < 32:
    raise ImproperlyConfigured(
        f"CLINSAFE_AUDIT_KEY is {len(AUDIT_KEY)} bytes: in production it must be at least 32 "
        "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
    )
# The signed checkpoint of the audit chain, outside the database (clinsafe.audit.checkpoint).
AUDIT_CHECKPOINT = Path(
    os.environ.get("CLINSAFE_AUDIT_CHECKPOINT") or DATA_DIR / "audit-checkpoint.json"
)
ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get(
        "CLINSAFE_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
    ).split(",")
    if host.strip()
]

try:
    CSO_HEALTH_THRESHOLDS = json.loads(os.environ.get("CLINSAFE_HEALTH_THRESHOLDS") or "{}")
except json.JSONDecodeError as error:
    raise ImproperlyConfigured(f"CLINSAFE_HEALTH_THRESHOLDS is not JSON: {error}.") from None
if not isinstance(CSO_HEALTH_THRESHOLDS, dict):
    raise ImproperlyConfigured("CLINSAFE_HEALTH_THRESHOLDS must be a JSON object.")

SITE_URL = os.environ.get("CLINSAFE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
EMAIL_HOST = os.environ.get("CLINSAFE_EMAIL_HOST", "")
EMAIL_ENABLED = bool(EMAIL_HOST)
EMAIL_PORT = int(os.environ.get("CLINSAFE_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CLINSAFE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CLINSAFE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _flag("CLINSAFE_EMAIL_TLS", default=False)
DEFAULT_FROM_EMAIL = os.environ.get("CLINSAFE_EMAIL_FROM", "clinsafe@localhost")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "clinsafe.core",
    "clinsafe.audit",
    "clinsafe.products",
    "clinsafe.hazards",
    "clinsafe.gate",
    "clinsafe.argument",
    "clinsafe.health",
    "clinsafe.reports",
    "clinsafe.deployments",
    "clinsafe.incidents",
    "clinsafe.demo",
]

# Long work (a hazard log import) runs in a worker beside the web server: `clinsafe db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinsafe.core.middleware.SecurityHeadersMiddleware",
    "clinsafe.core.busy.BusyDatabaseMiddleware",
]

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
ROOT_URLCONF = "clinsafe.urls"
WSGI_APPLICATION = "clinsafe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinsafe.core.context_processors.navigation",
            ],
            "builtins": ["clinsafe.core.templatetags.clinsafe_tags"],
        },
    }
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'clinsafe.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=60)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        # WAL lets readers carry on while one writer commits; IMMEDIATE takes the write
        # lock at BEGIN so concurrent writers queue instead of failing mid-transaction.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        # A writer waits this long for a row another transaction holds, then gets a 503.
        config.setdefault("OPTIONS", {})["options"] = "-c lock_timeout=20s"
    return dict(config)


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
PASSWORD_RESET_TIMEOUT = 24 * 3600  # a reset link works for a day
LOGIN_REDIRECT_URL = "product-list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# NHS.UK frontend comes from npm (node_modules/, installed by the set-up scripts).
NHSUK_FRONTEND_DIR = Path(
    os.environ.get("CLINSAFE_NHSUK_FRONTEND_DIR")
    or CHECKOUT_DIR / "node_modules" / "nhsuk-frontend" / "dist"
)
STATICFILES_DIRS = [NHSUK_FRONTEND_DIR] if NHSUK_FRONTEND_DIR.is_dir() else []
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = _flag("CLINSAFE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Failed logins: after this many for one username within the window, refuse for the window.
LOGIN_FAILURE_LIMIT = 5  # per username, logins and signing passwords alike
LOGIN_FAILURE_ADDRESS_LIMIT = 20  # per client address, across usernames
LOGIN_FAILURE_WINDOW_MINUTES = 15

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an unauthenticated request gets 401 with WWW-Authenticate: Token.
        "clinsafe.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "clinsafe.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "clinsafe.api.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "clinsafe API",
    "DESCRIPTION": "Clinical risk management records: products, hazards, risk estimates, controls.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "clinsafe.api.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "HazardStatusEnum": "clinsafe.hazards.models.HazardStatus",
        "ControlStatusEnum": "clinsafe.hazards.models.ControlStatus",
        "ReleaseStatusEnum": "clinsafe.products.models.ReleaseStatus",
        "ReleaseStageEnum": "clinsafe.products.models.ReleaseStage",
        "HealthStatusEnum": "clinsafe.health.api.HEALTH_STATUS_CHOICES",
        "HarmEnum": "clinsafe.incidents.models.Harm",
        "ChangeKindEnum": "clinsafe.products.models.ChangeKind",
        "ActionKindEnum": "clinsafe.incidents.models.ActionKind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Django's own console handler would print each 403 or 500 a second time.
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}
