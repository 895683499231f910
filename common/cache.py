"""The shared cache, guarded: an outage of Redis never fails a request.

Every read or write of the cache that a request depends on goes through `guarded_cache`:
when the cache backend raises (Redis down, timed out), the call is answered from a small
counter store in this process instead and a warning is logged (once per outage and
process, then again when it recurs after a recovery). Limits kept this way are per process
during the outage, which is stricter than nothing and looser than the shared counter.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.core.cache import cache as shared_cache
from django.core.cache.backends.locmem import LocMemCache

logger = logging.getLogger(__name__)

_local = LocMemCache("tierdesk-cache-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
_state = threading.local()


def _failed(operation: str, key: str) -> None:
    if not getattr(_state, "down", False):
        logger.warning("cache unavailable (%s %s); using a local fallback", operation, key)
    _state.down = True


def _recovered() -> None:
    if getattr(_state, "down", False):
        logger.info("cache available again")
    _state.down = False


class GuardedCache:
    """get/set/delete/add with the shared cache's signature that never raise for an outage."""

    def get(self, key: str, default: Any = None) -> Any:
        try:
            value = shared_cache.get(key, default)
        except Exception:  # noqa: BLE001 - any backend failure is an outage here
            _failed("get", key)
            return _local.get(key, default)
        _recovered()
        return value

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        try:
            shared_cache.set(key, value, timeout)
        except Exception:  # noqa: BLE001
            _failed("set", key)
            _local.set(key, value, timeout)
            return
        _recovered()

    def add(self, key: str, value: Any, timeout: float | None = None) -> bool:
        try:
            added = shared_cache.add(key, value, timeout)
        except Exception:  # noqa: BLE001
            _failed("add", key)
            return _local.add(key, value, timeout)
        _recovered()
        return added

    def count(self, key: str, timeout: float) -> int:
        """Add one to the counter `key` (started at 0, kept `timeout` seconds); the new
        value. Both steps are atomic in Redis, so concurrent callers each count."""
        try:
            shared_cache.add(key, 0, timeout)
            value = shared_cache.incr(key)
        except Exception:  # noqa: BLE001
            _failed("incr", key)
            _local.add(key, 0, timeout)
            try:
                return _local.incr(key)
            except ValueError:  # expired between the two calls
                return 1
        _recovered()
        return value

    def delete(self, key: str) -> None:
        """Delete everywhere: a stale local copy must not outlive the outage."""
        _local.delete(key)
        try:
            shared_cache.delete(key)
        except Exception:  # noqa: BLE001
            _failed("delete", key)


guarded_cache = GuardedCache()
