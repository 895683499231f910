"""Production: everything secret or host-specific comes from the environment.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and REDIS_URL (or
CELERY_BROKER_URL); a missing one stops the process at start-up instead of
running with a guess. `.env.example` documents every variable. The app sits
behind a TLS-terminating proxy that sets X-Forwarded-Proto.
"""

from .base import *  # noqa: F403
from .base import CACHES, LOGGING, MIDDLEWARE, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL"))

# The container health probe talks plain HTTP to 127.0.0.1: answer it before
# host validation and the HTTPS redirect (it reveals nothing but "ok").
MIDDLEWARE = ["common.health.HealthCheckMiddleware", *MIDDLEWARE]

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Sessions are read from the shared cache (Redis) and written through to the database: a
# signed-in page reads no session row from PostgreSQL. Only with Redis: a per-process cache
# would keep a signed-out session alive in the other processes.
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Real mail in production unless told otherwise.
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
SERVER_EMAIL = env("SERVER_EMAIL", default=env("DEFAULT_FROM_EMAIL", default="helpdesk@localhost"))

# Scanners send any Host header; a refused one is answered 400 but not worth a
# traceback in the log each time.
LOGGING = {
    **LOGGING,
    "handlers": {**LOGGING.get("handlers", {}), "null": {"class": "logging.NullHandler"}},
    "loggers": {
        **LOGGING.get("loggers", {}),
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
    },
}

TIERDESK_DEMO = False

# Production (docker compose) always runs Celery workers beside the web: a sweep with a
# backlog hands up to this many batches beyond its first to them, in parallel (base.py's
# default, 0, keeps everything inline for setups without workers; SQLite is always inline).
TIERDESK_ESCALATION_FANOUT_BATCHES = env.int("TIERDESK_ESCALATION_FANOUT_BATCHES", default=8)
