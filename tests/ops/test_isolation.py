"""Every test process has a Redis database and cache prefix of its own (pytest -n included)."""

import os

from django.conf import settings
from django.db import connection


def test_this_process_has_its_own_redis_database_and_prefix():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    number = int(settings.REDIS_URL.rsplit("/", 1)[1])
    assert number != 0  # 0 is the developer's own (and the idle xdist controller's)
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
    assert settings.CACHES["default"]["KEY_PREFIX"].endswith(worker)
    if worker:
        # Not the controller's choice, inherited: this worker's own.
        assert os.environ[f"TIERDESK_TEST_REDIS_DB_{worker.upper()}"] == str(number)


def test_this_process_has_its_own_test_database(db):
    name = connection.settings_dict["NAME"]
    assert name.startswith("test_") and settings.RUN_ID in name
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        assert name.endswith(f"_{worker}")
