import pytest

from .services import RedisServer


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test's own, started; stopped again when the test ends."""
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def cache_on(settings):
    """Point the default cache at `server` (the project's cache settings, another location)."""

    def use(server: RedisServer) -> None:
        settings.CACHES = {
            "default": {**settings.CACHES["default"], "LOCATION": server.url},
        }

    return use


@pytest.fixture
def broker_on():
    """Point this process's Celery publishing at `server` (the worker gets it by env)."""
    from helpdesk.celery import app
    from tests.api.test_webhooks import set_broker_url

    saved = app.conf.broker_url

    def use(server: RedisServer) -> str:
        set_broker_url(server.broker_url)
        return app.conf.broker_url

    yield use
    set_broker_url(saved)


from tests.api.test_webhooks import receiver  # noqa: E402, F401 - a recording receiver
from tests.sla.conftest import at, standard  # noqa: E402, F401 - the SLA tests' fixtures
