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
