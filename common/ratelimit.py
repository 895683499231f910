"""Atomic fixed-window rate limits in the shared cache: concurrent requests cannot slip past.

One `add` (start the window) and one `incr` (count) per attempt, both atomic in Redis, so
fifty simultaneous attempts count fifty. While the cache is down the count is kept in
this process (`common.cache`), never a 500.
"""

from __future__ import annotations

import hashlib
import logging
import time

from .cache import guarded_cache

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
    # While the cache is down the count is kept in this process (see common.cache).
    count = guarded_cache.count(key, timeout=period + 1)
    if count > limit:
        return max(1, int((window + 1) * period - now))
    return None
