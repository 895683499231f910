"""Atomic fixed-window rate limits in the shared cache: concurrent requests cannot slip past.

One `add` (start the window) and one `incr` (count) per attempt, both atomic in Redis, so
fifty simultaneous attempts count fifty. While the cache is down the count is kept in
this process (`common.cache`), never a 500.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import cache as shared_cache

from .cache import _failed, _local, _recovered

log = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/min" -> (10, 60)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0]]


def rate_limit_hit(*, scope: str, ident: str, rate: str | None) -> int | None:
    """Count one attempt by `ident`; the seconds to wait when it is over `rate`, else None."""
    if not rate or not ident:
        return None
    limit, period = parse_rate(rate)
    now = time.time()
    window = int(now // period)
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]
    key = f"ratelimit:{scope}:{digest}:{window}"
    try:
        shared_cache.add(key, 0, timeout=period + 1)
        count = shared_cache.incr(key)
        _recovered()
    except Exception:  # noqa: BLE001 - an outage counts in this process instead
        _failed("incr", key)
        _local.add(key, 0, timeout=period + 1)
        try:
            count = _local.incr(key)
        except ValueError:
            count = 1
    if count > limit:
        return max(1, int((window + 1) * period - now))
    return None
