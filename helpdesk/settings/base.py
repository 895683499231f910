"""Settings shared by every environment; each value can be set from the environment."""

import datetime as dt
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "common",
    "accounts",
    "tickets",
    "sla",
    "escalation",
    "knowledge",
    "releases",
    "web",
    "reports",
    "api",
    "mail",
    "desk",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "accounts.audit.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.middleware.ApplicationErrorMiddleware",
    "accounts.throttle.SignInThrottleMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "web.context_processors.notifications",
            ],
            # `{{ instant|when }}` everywhere: times in the reader's zone, zone named.
            "builtins": ["common.templatetags.when"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/tierdesk"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ManagerBackend",
]
# Sign-in lockout (django-axes): per username and per client address, lifted after a cool-off.
AXES_FAILURE_LIMIT = env.int("TIERDESK_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("TIERDESK_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = "accounts.audit.client_address"
AXES_VERBOSE = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files live outside the web root and have no URL: the only way out is
# the download view, which checks that the user may see the ticket.
MEDIA_ROOT = env.path("TIERDESK_ATTACHMENT_ROOT", default=str(VAR_DIR / "attachments"))
MEDIA_URL = None

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Tierdesk <helpdesk@localhost>")
SITE_URL = env("TIERDESK_SITE_URL", default="http://127.0.0.1:8000")
# The address customers write to; replies go to its +HD-000123.<token> sub-address.
TIERDESK_MAIL_ADDRESS = env("TIERDESK_MAIL_ADDRESS", default="")
# Key (Fernet, urlsafe base64 of 32 bytes) for mailbox passwords; empty: derived from SECRET_KEY.
TIERDESK_MAIL_KEY = env("TIERDESK_MAIL_KEY", default="")
TIERDESK_MAIL_POLL_SECONDS = env.int("TIERDESK_MAIL_POLL_SECONDS", default=60)
TIERDESK_MAIL_MAX_BYTES = env.int("TIERDESK_MAIL_MAX_BYTES", default=25 * 1024 * 1024)
TIERDESK_MAIL_SENDER_LIMIT_PER_HOUR = env.int("TIERDESK_MAIL_SENDER_LIMIT_PER_HOUR", default=20)
TIERDESK_MAIL_REFUSALS_PER_HOUR = env.int("TIERDESK_MAIL_REFUSALS_PER_HOUR", default=30)
TIERDESK_MAIL_BATCH = env.int("TIERDESK_MAIL_BATCH", default=200)
TIERDESK_MAIL_TIMEOUT = env.int("TIERDESK_MAIL_TIMEOUT", default=30)

# Celery: the same task code runs on Redis in production and on a serverless
# transport in the embedded setup.
CELERY_BROKER_URL = env(
    "CELERY_BROKER_URL", default=env("REDIS_URL", default="redis://127.0.0.1:6379/0")
)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Product settings.
# Webhooks may reach loopback/private/link-local addresses only if this is set (a receiver on
# the same host or network); otherwise such targets are refused at registration and delivery.
TIERDESK_WEBHOOKS_ALLOW_PRIVATE = env.bool("TIERDESK_WEBHOOKS_ALLOW_PRIVATE", default=False)
TIERDESK_MAX_ATTACHMENT_BYTES = env.int("TIERDESK_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024)
TIERDESK_REOPEN_DAYS = env.int("TIERDESK_REOPEN_DAYS", default=14)
TIERDESK_ESCALATION_INTERVAL_SECONDS = env.int("TIERDESK_ESCALATION_INTERVAL_SECONDS", default=30)
# Dashboard rollups (reports.services): how often the beat recomputes the last N days of
# daily rollups from the raw rows; older changes need `manage.py rollups_rebuild`.
# 15 days: a rating or a late answer within the reopen window (TIERDESK_REOPEN_DAYS, 14) is
# still picked up; at 1M tickets one refresh took 21.7 s on a loaded 2-core machine.
TIERDESK_ROLLUP_REFRESH_SECONDS = env.int("TIERDESK_ROLLUP_REFRESH_SECONDS", default=600)
TIERDESK_ROLLUP_REFRESH_DAYS = env.int("TIERDESK_ROLLUP_REFRESH_DAYS", default=15)
# Staff who take their notices as a digest get at most one e-mail per this many seconds:
# the first pending notice waits this long, then every pending one goes in one e-mail.
TIERDESK_NOTIFY_DIGEST_SECONDS = env.int("TIERDESK_NOTIFY_DIGEST_SECONDS", default=60)
# Due clocks per sweep transaction (set-based path; see escalation/services/batch.py).
TIERDESK_ESCALATION_BATCH_SIZE = env.int("TIERDESK_ESCALATION_BATCH_SIZE", default=1000)
# Batches beyond the first that one sweep may hand to Celery workers (0: all inline).
TIERDESK_ESCALATION_FANOUT_BATCHES = env.int("TIERDESK_ESCALATION_FANOUT_BATCHES", default=0)
# API lists count at most this many rows; beyond it `count_exact` is false (api/v1/pagination.py).
TIERDESK_API_COUNT_CAP = env.int("TIERDESK_API_COUNT_CAP", default=10_000)
# The ticket list (cursor pages) counts only on its first page, at most this many rows: a
# technician's scope is checked row by row, so 10,000 rows would cost more than the page.
TIERDESK_API_CURSOR_COUNT_CAP = env.int("TIERDESK_API_CURSOR_COUNT_CAP", default=1_000)
# What customers are shown for a member of staff: first_name, full_name or support
# ("Support" always; also the fallback when a name is empty). Never the username.
TIERDESK_STAFF_NAMES = env.str("TIERDESK_STAFF_NAMES", default="first_name")
# API tokens: default and longest lifetime in days.
TIERDESK_API_TOKEN_DAYS = env.int("TIERDESK_API_TOKEN_DAYS", default=90)
TIERDESK_API_TOKEN_MAX_DAYS = env.int("TIERDESK_API_TOKEN_MAX_DAYS", default=365)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Cache: API rate-limit counters and small shared lookups. Redis wherever REDIS_URL is
# set (production, tests); process memory in the embedded setup, which has no Redis.
_CACHE_URL = env("REDIS_URL", default="")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": "tierdesk",
        }
        if _CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# REST API (api/): token and session auth, one error shape, strict inputs, throttles.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.v1.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["api.v1.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "api.v1.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "api.v1.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.v1.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "token_ip": env("TIERDESK_THROTTLE_TOKEN_IP", default="20/min"),
        "token_user": env("TIERDESK_THROTTLE_TOKEN_USER", default="10/min"),
        "ticket_user": env("TIERDESK_THROTTLE_TICKET_USER", default="30/min"),
        "reply_user": env("TIERDESK_THROTTLE_REPLY_USER", default="60/min"),
        "ticket_ip": env("TIERDESK_THROTTLE_TICKET_IP", default="120/min"),
        "login_ip": env("TIERDESK_THROTTLE_LOGIN_IP", default="30/min"),
        "login_user": env("TIERDESK_THROTTLE_LOGIN_USER", default="10/min"),
        "reset_ip": env("TIERDESK_THROTTLE_RESET_IP", default="10/hour"),
        "reset_address": env("TIERDESK_THROTTLE_RESET_ADDRESS", default="3/hour"),
    },
    # The client address is REMOTE_ADDR unless a trusted proxy count is configured, so a
    # forged X-Forwarded-For cannot dodge the per-IP limits.
    "NUM_PROXIES": env.int("DJANGO_NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tierdesk API",
    "DESCRIPTION": """Everything a customer, technician or manager can do in the UI, through the
same services and with the same permissions.

**Auth**: `POST /api/v1/auth/token/` with `{"username", "password"}` (optionally `"name"` and
`"expires_in_days"`) returns a new named token `{"token", "id", "name", "expires", …}`; send
`Authorization: Token <token>`. Tokens expire, record their last use, and end when the user's
password, role or access changes. `GET /api/v1/auth/tokens/` lists the caller's tokens (never
their keys), `POST` there creates one for a signed-in caller, `DELETE /api/v1/auth/tokens/<id>/`
revokes one, and `DELETE /api/v1/auth/token/` revokes the token it is sent with. Repeated failed
sign-ins lock the username and the client address for a while (429 with `Retry-After`). Browser
sessions work too (unsafe methods need the `X-CSRFToken` header).

**Visibility**: lists and lookups are scoped exactly like the UI; another user's ticket is a 404.
Customers see status, priority, tier, SLA deadlines and public replies/events of their tickets;
`assignee`, `is_vip`, `handoff_note`, internal notes, internal attachments and internal events
are staff-only (null or absent for customers; `is_assigned` tells whether someone took it).

**Errors**: every 4xx is `{"code", "detail", "fields"?}`; unknown query parameters are a 400;
an illegal status move is a 409; throttled requests get a 429 with `Retry-After`.

**Webhooks** (managers): each delivery is a POST of `{"id", "event", "data"}` with headers
`X-Tierdesk-Event`, `X-Tierdesk-Delivery`, `X-Tierdesk-Timestamp` (Unix seconds) and
`X-Tierdesk-Signature: sha256=<hex>` = HMAC-SHA256(secret, "<timestamp>.<raw body>"). Sent by a
worker with retries and exponential backoff; attempts are listed per hook.""",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "TierEnum": "accounts.models.Tier",
        "PriorityEnum": "tickets.models.Priority",
        "TicketStatusEnum": "tickets.models.Status",
        "RoleEnum": "accounts.models.Role",
        "LevelEnum": "tickets.priority.Level",
        "WebhookEventEnum": "api.models.WebhookEvent",
        "ArticleStatusEnum": "knowledge.models.ArticleStatus",
        "ProblemStatusEnum": "knowledge.models.ProblemStatus",
        "ReleaseStatusEnum": "releases.models.ReleaseStatus",
        "NotificationKindEnum": "escalation.models.NotificationKind",
    },
}
