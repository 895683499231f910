"""Who has a ticket open and who is writing, kept in the cache for ~30 seconds.

One cache entry per ticket maps user ids to (name, writing, last seen). Every
read drops entries older than PRESENCE_SECONDS, and the entry itself expires
with them. The cache is a convenience: when it is down, presence is empty and
nothing else fails.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from django.core.cache import cache

if TYPE_CHECKING:
    from accounts.models import User

log = logging.getLogger(__name__)

PRESENCE_SECONDS = 30


def _key(ticket_id: int) -> str:
    return f"presence:ticket:{ticket_id}"


def _fresh(entries: dict[str, Any], now: float) -> dict[str, Any]:
    return {k: v for k, v in entries.items() if now - v.get("at", 0) <= PRESENCE_SECONDS}


def presence_touch(*, ticket_id: int, user: User, writing: bool) -> list[dict[str, Any]] | None:
    """Record that `user` has the ticket open (and whether they are writing); returns the
    others present, or None when the cache cannot be reached."""
    now = time.time()
    try:
        entries = _fresh(cache.get(_key(ticket_id)) or {}, now)
        entries[str(user.pk)] = {"name": str(user), "writing": bool(writing), "at": now}
        cache.set(_key(ticket_id), entries, timeout=PRESENCE_SECONDS)
    except Exception:  # noqa: BLE001 - any cache failure: presence is optional
        log.warning("Presence unavailable (cache unreachable)")
        return None
    return [
        {"name": v["name"], "writing": v["writing"]}
        for k, v in sorted(entries.items())
        if k != str(user.pk)
    ]


def presence_leave(*, ticket_id: int, user: User) -> None:
    try:
        entries = cache.get(_key(ticket_id)) or {}
        if entries.pop(str(user.pk), None) is not None:
            cache.set(_key(ticket_id), entries, timeout=PRESENCE_SECONDS)
    except Exception:  # noqa: BLE001
        log.warning("Presence unavailable (cache unreachable)")
