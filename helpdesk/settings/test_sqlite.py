"""Test settings for the embedded database (`make run`): the same as the test settings, but on
SQLite, configured as helpdesk.settings.local configures it.

Redis stays: the cache and the throttles are the same code on both databases. Tests that
are about PostgreSQL itself (advisory locks, SKIP LOCKED between sessions, workers fanning
out on a shared database) carry the `postgres` marker; `make test-sqlite` deselects them.
"""

from .test import *  # noqa: F403

DATABASES = {
    "default": {
        "ENGINE": "common.db.sqlite3",
        # In memory: every test process (pytest -n too) has its own; nothing is left on disk.
        "NAME": ":memory:",
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
}
