"""Test settings: real PostgreSQL and Redis, fast hashing, in-memory e-mail.

Every test run is isolated from every other on the machine (two checkouts, `pytest -n`):
its own test database name and its own Redis database. The run's id and Redis database
travel to subprocesses the tests start (Celery workers, gunicorn) through the environment.
Under `pytest -n`, every xdist worker is a run of its own (pytest-django suffixes the database
name with the worker id; the Redis database is chosen per worker): a worker inherits its
controller's environment, so the inherited choice counts only for the worker that made it.
"""

import fcntl
import os
import secrets
import sys
import tempfile
import time

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105

# "" in a plain run and in the xdist controller, "gw0", "gw1", … in xdist workers (and in the
# subprocesses a worker starts, which inherit its environment).
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_REDIS_DB_VARIABLE = "TIERDESK_TEST_REDIS_DB" + (
    f"_{_XDIST_WORKER.upper()}" if _XDIST_WORKER else ""
)
RUN_ID = os.environ.setdefault("TIERDESK_TEST_RUN", secrets.token_hex(4))
_REDIS_DATABASES = 16  # Redis' default `databases`; 0 stays the developer's own


def _xdist_controller() -> bool:
    """`pytest -n N` (N > 0) outside a worker: this process hands tests out, runs none."""
    if _XDIST_WORKER or "xdist" not in sys.modules:  # e.g. a Celery worker's own "-n name"
        return False
    args = sys.argv[1:]
    for index, arg in enumerate(args):
        value = None
        if arg in ("-n", "--numprocesses"):
            value = args[index + 1] if index + 1 < len(args) else None
        elif arg.startswith("--numprocesses="):
            value = arg.partition("=")[2]
        elif arg.startswith("-n") and len(arg) > 2:
            value = arg[2:]
        if value is not None:
            return value not in ("0", "")
    return False


def _redis_database() -> int:
    """A Redis database no other running test process holds: the first free lock file wins,
    and the lock lives as long as this process. A subprocess inherits its parent's choice."""
    inherited = os.environ.get(_REDIS_DB_VARIABLE)
    if inherited:
        return int(inherited)
    if _xdist_controller():
        return 0  # never connected to: the controller runs no test; its workers choose
    # Many runs at once on one machine (checkouts side by side, each with `pytest -n`) can
    # hold every database for a while: wait for one to be freed rather than fail.
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        for number in range(1, _REDIS_DATABASES):
            path = os.path.join(tempfile.gettempdir(), f"tierdesk-test-redis-{number}.lock")
            handle = open(path, "w")  # noqa: SIM115 - held open: the lock is the open file
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            _HELD_LOCKS.append(handle)
            os.environ[_REDIS_DB_VARIABLE] = str(number)
            return number
        time.sleep(0.5)
    raise RuntimeError("Every Redis test database is taken by another test run.")


_HELD_LOCKS: list = []
_REDIS_BASE = env("REDIS_URL", default="redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
REDIS_URL = f"{_REDIS_BASE}/{_redis_database()}"

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/tierdesk"),
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
if not DATABASES["default"]["NAME"].startswith("test_"):
    # Subprocesses get the test database itself in DATABASE_URL; pytest gets its own name.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{RUN_ID}"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if os.environ.get("TIERDESK_TEST_MAIL_DIR"):
    # A Celery worker a test starts writes its mails where the test can count them.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["TIERDESK_TEST_MAIL_DIR"]
# A digest collects what is pending when it is sent; tests that are about the window set it.
TIERDESK_NOTIFY_DIGEST_SECONDS = env.int("TIERDESK_NOTIFY_DIGEST_SECONDS", default=0)
CELERY_BROKER_URL = REDIS_URL
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"tierdesk-{RUN_ID}{_XDIST_WORKER}",
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "test-attachments"
TIERDESK_DEMO = True
# The tests' webhook receivers listen on 127.0.0.1 (tests/security/test_webhook_targets.py
# turns this off to prove the refusal).
TIERDESK_WEBHOOKS_ALLOW_PRIVATE = True
