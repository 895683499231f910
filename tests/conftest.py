"""The standard cast (the demo users) as fixtures, plus small helpers."""

import importlib
import shutil
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from accounts.models import Role, Tier
from tests.factories import ManagerFactory, OrganisationFactory, TechnicianFactory, UserFactory

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def forget_cached_keys() -> None:
    """Drop the project's cache keys (throttle counters, the cached webhook list) so no
    test sees another's; the Redis db itself, which Celery shares, is left alone."""
    client = getattr(cache, "_cache", None)
    if client is None or not hasattr(client, "get_client"):
        cache.clear()
        return
    redis = client.get_client(write=True)
    keys = list(redis.scan_iter(match=f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:*"))
    if keys:
        redis.delete(*keys)


@pytest.fixture(autouse=True)
def _fresh_cache():
    forget_cached_keys()
    yield
    forget_cached_keys()


@pytest.fixture(autouse=True)
def _default_language_and_zone():
    """A request through the test client leaves its user's language active in this thread (as
    LocaleMiddleware does in a server worker until the next request): start every test in the
    default language and zone so no test reads another's German."""
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()
    yield
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _private_media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "attachments"
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def acme(db):
    return OrganisationFactory(name="Acme Corp", time_zone="Europe/Berlin")


@pytest.fixture
def globex(db):
    return OrganisationFactory(name="Globex", time_zone="America/New_York")


@pytest.fixture
def alice(acme):
    return UserFactory(username="alice", organisation=acme)


@pytest.fixture
def bob(acme):
    return UserFactory(username="bob", organisation=acme)


@pytest.fixture
def victor(acme):
    return UserFactory(username="victor", organisation=acme, is_vip=True)


@pytest.fixture
def gina(globex):
    return UserFactory(username="gina", organisation=globex, language="de")


@pytest.fixture
def l1tech(db):
    return TechnicianFactory(username="l1tech", tier=Tier.L1)


@pytest.fixture
def l2tech(db):
    return TechnicianFactory(username="l2tech", tier=Tier.L2, is_team_lead=True)


@pytest.fixture
def l3tech(db):
    return TechnicianFactory(username="l3tech", tier=Tier.L3)


@pytest.fixture
def manager(db):
    return ManagerFactory(username="manager", role=Role.MANAGER)


@pytest.fixture
def png_file():
    def make(name="screenshot.png"):
        return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")

    return make


@pytest.fixture
def text_file():
    def make(name="notes.txt", content=b"plain words\n"):
        return SimpleUploadedFile(name, content, content_type="text/plain")

    return make


def stored_files() -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def seed_migrated_data() -> None:
    """Put back, idempotently, the rows the data migrations seed (the standard
    agreement, the default escalation rules): transactional tests empty every
    table when they finish."""
    from django.apps import apps

    editor = SimpleNamespace(connection=SimpleNamespace(alias="default"))
    for module, function in (
        ("sla.migrations.0002_standard_agreement", "create_standard"),
        ("escalation.migrations.0002_default_rules", "create_rules"),
        ("sla.migrations.0006_next_response_targets", "add_targets"),
        ("escalation.migrations.0006_next_response_rules", "create_rules"),
    ):
        getattr(importlib.import_module(module), function)(apps, editor)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, seed again, so every later test finds
    the shipped agreement and rules whatever order the suite runs in."""
    yield
    marker = item.get_closest_marker("django_db")
    transactional = bool({"transactional_db", "live_server"} & set(item.fixturenames)) or bool(
        marker and marker.kwargs.get("transaction")
    )
    if not transactional or nextitem is None:
        return  # after the last test the test database is dropped anyway
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        seed_migrated_data()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    """Before the session's fixtures drop the test database: end every other session on it.

    A server or worker the tests started, or a thread they left behind, may still hold a
    connection when the run ends; dropping the database would then fail with "database … is
    being accessed by other users" and leave it behind. The database is this run's own.
    """
    from django.conf import settings as django_settings

    database = django_settings.DATABASES["default"] if django_settings.configured else {}
    if database.get("ENGINE", "").endswith("postgresql"):
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        name = connection.settings_dict["NAME"]
        if name.startswith("test_"):
            with session.config.stash[blocking_manager_key].unblock():
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = %s AND pid <> pg_backend_pid()",
                        [name],
                    )
                connection.close()
    yield
