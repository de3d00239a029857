"""Settings for the workshop app, configured through environment variables.

Production is the default: DEBUG is off unless DEBUG=1, and then SECRET_KEY is required,
so an image or a server started with too few variables refuses to start instead of
serving debug pages with a public key. Production also sets ALLOWED_HOSTS, DATABASE_URL
and the e-mail variables; `manage.py check --deploy --fail-level WARNING` then passes.
Development is DEBUG=1 (`make run` sets it; the test suite runs workshop.tests.settings),
which brings a development key, local hosts and plain-HTTP cookies.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from workshop.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
_DEV_KEY = "django-insecure-development-key-never-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_KEY if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "workshop",
    "accounts",
    "directories",
    "orders",
    "cashdesk",
    "documents",
    "warehouse",
    "notifications",
]

MIDDLEWARE = [
    # First: one log line per request, timing everything below it.
    "workshop.middleware.RequestLogMiddleware",
    "workshop.middleware.HealthCheckMiddleware",
    # A body over DATA_UPLOAD_MAX_MEMORY_SIZE gets a clear 400 before anything reads it.
    "workshop.middleware.BodySizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workshop.middleware.HtmxVaryMiddleware",
    "accounts.middleware.TenantMiddleware",
    # After authentication and the tenant: the one-session rule, the PIN lock and idle lock.
    "accounts.middleware.SessionGuardMiddleware",
    # Needs request.membership: per member limits on search, suggestions, lookup and PDF.
    "workshop.middleware.RateLimitMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: turns a throttled sign-in into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "workshop.urls"
WSGI_APPLICATION = "workshop.wsgi.application"

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
                "csp.context_processors.nonce",
                "accounts.context_processors.tenant",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout keep a one-machine SQLite install responsive under a few users.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Kept open between requests like PostgreSQL's (DB_CONN_MAX_AGE): a new connection per
    # request (the file, WAL, Django's SQL functions registered anew) made the Work page
    # through gunicorn 15.6 ms at p50 for one user instead of 7.6 ms.
else:
    # When PostgreSQL is down or stuck, a request fails within seconds (a 503 page, see
    # workshop.views.server_error) instead of holding a worker until gunicorn kills it;
    # CONN_HEALTH_CHECKS above replaces a connection the restart broke. A long data
    # migration can run with DB_STATEMENT_TIMEOUT_MS=0.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 3))
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", f"-c statement_timeout={env_int('DB_STATEMENT_TIMEOUT_MS', 15000)}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses throttled attempts before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.MemberBackend",
]
PASSWORD_RESET_TIMEOUT = int(timedelta(hours=24).total_seconds())
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Length and a common-password check only: composition rules make passwords worse.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Database sessions so they can be ended server-side; a user keeps the program for a week.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(timedelta(days=7).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Sign-in throttling. Never by e-mail alone, so nobody can lock a colleague out: by IP
# (10 failures) and by the (e-mail, IP) pair (5 failures, see accounts.throttle).
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_HANDLER = "accounts.throttle.WorkshopAxesHandler"
AXES_FAILURE_LIMIT = 10
AXES_PAIR_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_USERNAME_CALLABLE = "accounts.throttle.username_from_request"
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.throttle.lockout_response"
AXES_VERBOSE = False
# Number of proxies in front of the app that append to X-Forwarded-For; 0 = use REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Registration and password-reset letters: at most this many per address and per client IP
# in each window, so nobody can flood a mailbox; a refused letter gets the same answer.
ACCOUNT_MAIL_PER_ADDRESS = env_int("ACCOUNT_MAIL_PER_ADDRESS", 3)
ACCOUNT_MAIL_PER_IP = env_int("ACCOUNT_MAIL_PER_IP", 10)
ACCOUNT_MAIL_WINDOW = timedelta(hours=1)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Rendered pieces of the page chrome that depend only on the language, the role and
    # the current screen (templates/base.html: `{% cache … using="fragments" %}`): the
    # same on every request, they were a fifth of the Work page's time. In process, so a
    # restart (a deploy: new code, new translations) starts it empty.
    "fragments": {
        # Under `make run` (DEBUG) templates and translations change without a restart.
        "BACKEND": "django.core.cache.backends."
        + ("dummy.DummyCache" if DEBUG else "locmem.LocMemCache"),
        "LOCATION": "fragments",
        "TIMEOUT": None,
        "OPTIONS": {"MAX_ENTRIES": 2_000},
    },
    # In the database, so every worker counts the mail limits in one place and a restart
    # forgets nothing; the table comes with the accounts migrations.
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "accounts_throttle",
        "TIMEOUT": int(ACCOUNT_MAIL_WINDOW.total_seconds()),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = BASE_DIR / "media"

# `manage.py backup` writes here and keeps the newest backup of each of the last 7 days
# and 4 weeks; run it daily (docs/operations.md: a systemd timer or a cron line).
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))
BACKUP_KEEP_DAILY = env_int("BACKUP_KEEP_DAILY", 7)
BACKUP_KEEP_WEEKLY = env_int("BACKUP_KEEP_WEEKLY", 4)

# Limits against abuse. No form of ours needs more than a document template (100,000
# characters, urlencoded Cyrillic about 600 KB); a bigger body gets a 400 page saying so.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 768 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 2000)
# Per member token buckets (workshop.middleware.RateLimitMiddleware): `burst` requests
# at once, then `per_minute`. Suggestions fire 150 ms after the last key and searches
# 300 ms, so nobody typing can send more than about 6.7 and 3.3 a second; the steady
# rates sit just above that and a script is held to them. "view?q" counts a view only
# when it is asked with that parameter.
RATE_LIMITS = {
    "search": {
        "burst": 40,
        "per_minute": 240,
        "views": ["orders:work?q", "orders:clients?q", "warehouse:stock?q"],
    },
    "suggest": {
        "burst": 60,
        "per_minute": 420,
        "views": ["directories:suggest", "orders:lookup"],
    },
    "pdf": {"burst": 10, "per_minute": 10, "views": ["documents:pdf", "documents:copy_pdf"]},
}

# E-mail: console in development (links appear in the `make run` terminal), SMTP in production.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Workshop <noreply@localhost>")
# Seconds the worker waits for the SMTP server before trying the letter again later.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15)
# Retries of a letter the server did not take: 30 s, 1, 2, 4 ... minutes, at most an
# hour apart; 20 attempts cover about 13 hours of SMTP outage.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 20)
EMAIL_RETRY_BASE_SECONDS = env_int("EMAIL_RETRY_BASE_SECONDS", 30)
EMAIL_RETRY_MAX_SECONDS = env_int("EMAIL_RETRY_MAX_SECONDS", 3600)

# Background tasks (Django's tasks API through django-tasks): rows in the database, run
# by `manage.py db_worker`, so no broker is needed and nothing is lost when SMTP or a
# worker is down. `make run`, compose and the systemd units start the worker.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Customers' messages (the notifications app; docs/notifications.md). The public
# status links in SMS, e-mail and on receipts start with PUBLIC_BASE_URL. SMS go
# through SMS_BACKEND: the console in development, notifications.sms.SmsRuBackend
# (SMS.ru's HTTP API, key in SMSRU_API_ID) in production. A message the provider or
# the mail server did not take is tried NOTIFICATIONS_MAX_ATTEMPTS times, from
# NOTIFICATIONS_RETRY_BASE_SECONDS apart, doubling up to ..._MAX_SECONDS.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://localhost:8000")
SMS_BACKEND = env_str("SMS_BACKEND", "notifications.sms.ConsoleBackend")
SMSRU_API_ID = env_str("SMSRU_API_ID", "")
SMSRU_FROM = env_str("SMSRU_FROM", "")
SMSRU_URL = env_str("SMSRU_URL", "https://sms.ru/sms/send")
SMSRU_TEST = env_bool("SMSRU_TEST", False)
SMS_TIMEOUT = env_int("SMS_TIMEOUT", 10)
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 5)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env_int("NOTIFICATIONS_RETRY_MAX_SECONDS", 3600)

# Security headers. Production (DEBUG=0) turns on HTTPS-only cookies, HSTS and the redirect.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_PROXY", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # Joining the browsers' preload list is the operator's one-way decision, not a default.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "form-action": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}

# One line per record; LOG_FORMAT=json writes JSON objects for a log collector. Every
# request adds one line (workshop.request) with its id, view, status, duration, query
# count and the member and workshop ids; django.request keeps only the errors.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, got {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "workshop.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "workshop.logs.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"level": "ERROR"},
        # axes logs every attempt at INFO; our own sign-in log already records them.
        "axes": {"level": "WARNING"},
    },
}
