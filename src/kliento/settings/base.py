"""Settings shared by every environment; every value comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("KLIENTO_DATA_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("KLIENTO_SECRET_KEY", "kliento-insecure-demo-key-change-me")
DEBUG = env_bool("KLIENTO_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("KLIENTO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "ninja",  # serves the API docs' assets itself: no CDN
    "django_q",
    "kliento.core",
    "kliento.customers",
    "kliento.sales",
    "kliento.activities",
]

MIDDLEWARE = [
    # First, so that it sees every response: errors under /api/ leave as JSON.
    "kliento.core.api_errors.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "kliento.core.csp.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kliento.core.web.middleware.UserPreferencesMiddleware",
    "kliento.core.web.middleware.RefuseNulMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kliento.core.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kliento.urls"
LOGIN_URL = "core:sign-in"
WSGI_APPLICATION = "kliento.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["template_partials.templatetags.partials"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kliento.core.web.context.layout",
            ],
        },
    },
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kliento.sqlite3'}"),
        conn_max_age=int(os.environ.get("KLIENTO_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker write while web requests read; IMMEDIATE avoids
    # the "database is locked" upgrade deadlock between two writers.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ru", _("Russian")),
    ("lv", _("Latvian")),
    ("mn", _("Mongolian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Static files are served by Kliento itself (no CDN); found in the apps, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = False
MEDIA_ROOT = Path(os.environ.get("KLIENTO_MEDIA_ROOT", DATA_DIR / "media"))

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("KLIENTO_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["KLIENTO_S3_BUCKET"],
            "endpoint_url": os.environ.get("KLIENTO_S3_ENDPOINT_URL"),
            "default_acl": None,
            "querystring_auth": True,
        },
    }

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# The archive keeps what people delete this many days before deleting it for good;
# 0 keeps it until an administrator deletes it (core.archive).
KLIENTO_ARCHIVE_DAYS = max(0, int(os.environ.get("KLIENTO_ARCHIVE_DAYS", "0")))

# Attachments: the largest accepted upload and the types accepted (by content).
KLIENTO_MAX_UPLOAD_BYTES = int(os.environ.get("KLIENTO_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Sign-in throttling: failures allowed per account / per address in the window.
KLIENTO_LOGIN_MAX_FAILURES_ACCOUNT = int(os.environ.get("KLIENTO_LOGIN_MAX_FAILURES_ACCOUNT", "5"))
KLIENTO_LOGIN_MAX_FAILURES_ADDRESS = int(os.environ.get("KLIENTO_LOGIN_MAX_FAILURES_ADDRESS", "20"))
KLIENTO_LOGIN_LOCK_SECONDS = int(os.environ.get("KLIENTO_LOGIN_LOCK_SECONDS", "900"))
# From an address the user signed in from before: a limit of its own, its own failures only.
KLIENTO_LOGIN_MAX_FAILURES_KNOWN = int(os.environ.get("KLIENTO_LOGIN_MAX_FAILURES_KNOWN", "20"))
KLIENTO_LOGIN_KNOWN_ADDRESS_DAYS = int(os.environ.get("KLIENTO_LOGIN_KNOWN_ADDRESS_DAYS", "180"))
# How many reverse proxies in front append to X-Forwarded-For (0: use REMOTE_ADDR).
KLIENTO_TRUSTED_PROXIES = int(os.environ.get("KLIENTO_TRUSTED_PROXIES", "0"))

# E-mail: EMAIL_URL=smtp://user:pass@host:port (empty: no e-mail is sent).
EMAIL_URL = os.environ.get("EMAIL_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("KLIENTO_FROM_EMAIL", "kliento@localhost")
if EMAIL_URL:
    from urllib.parse import unquote, urlparse

    _mail = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "smtp+tls"
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"

# The lease a worker holds on an outbox message while sending it; longer than any
# sender's time-out (EMAIL_TIMEOUT), so a live send is never taken by another worker.
KLIENTO_OUTBOX_LEASE_SECONDS = int(os.environ.get("KLIENTO_OUTBOX_LEASE_SECONDS", "300"))

# Background worker (django-q2, ORM broker). `retry` must exceed `timeout`,
# or a task still running is handed out twice (FACTS.md).
Q_CLUSTER = {
    "name": "kliento",
    "orm": "default",
    "workers": int(os.environ.get("KLIENTO_WORKERS", "2")),
    "timeout": int(os.environ.get("KLIENTO_TASK_TIMEOUT", "60")),
    "retry": int(os.environ.get("KLIENTO_TASK_RETRY", "90")),
    "max_attempts": 0,
    "poll": float(os.environ.get("KLIENTO_WORKER_POLL", "1")),
    "catch_up": False,
    "save_limit": 1000,
    "ack_failures": True,
    "label": "Worker",
}

# Every log record is cleaned of credentials when it is created (core/logs.py).
LOGGING_CONFIG = "kliento.core.logs.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KLIENTO_LOG_LEVEL", "WARNING")},
}
