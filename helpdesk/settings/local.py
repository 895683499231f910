"""Embedded development setup: SQLite under var/, no Redis, console e-mail."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tierdesk.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Django's backend with SQLite's real bound-parameter limit (fewer statements in bulk).
    DATABASES["default"]["ENGINE"] = "common.db.sqlite3"
    # The web server and the worker share the file: wait for locks, don't fail.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }

# kombu's filesystem transport needs no server; the worker and the web process
# exchange messages through files under var/celery.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://localhost//")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(VAR_DIR / "celery" / "queue"),
    "data_folder_out": str(VAR_DIR / "celery" / "queue"),
    "processed_folder": str(VAR_DIR / "celery" / "processed"),
    "control_folder": str(VAR_DIR / "celery" / "control"),
    "store_processed": False,
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TIERDESK_DEMO = True
# Links in mails point at the address `make run` serves (PORT=8123 make run included).
SITE_URL = env("TIERDESK_SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}")
