"""Throughput benchmark for :mod:`sla.calendars`.

Run ``python -m bench.calendar`` to print calls per second for a realistic calendar:
Europe/Berlin, Monday-Friday 09:00-17:00, Berlin public holidays, starts spread over
2026-2027 and targets of up to 30 days (43,200 minutes).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sla.calendars import BusinessCalendar

_ZONE = "Europe/Berlin"
_MAX_MINUTES = 43_200


def build_realistic_calendar() -> BusinessCalendar:
    """Berlin office hours with the German (Berlin) public holidays 2025-2028."""
    import holidays  # optional dependency: only the benchmark needs it

    closed = holidays.country_holidays("DE", subdiv="BE", years=range(2025, 2029))
    hours = {weekday: [("09:00", "17:00")] for weekday in range(5)}
    return BusinessCalendar(tz=_ZONE, hours=hours, holidays=closed)


def _random_starts(rng: random.Random, calls: int) -> list[datetime]:
    """Aware Berlin datetimes, uniformly spread over 2026-2027 at second resolution."""
    zone = ZoneInfo(_ZONE)
    first = datetime(2026, 1, 1, tzinfo=UTC)
    span = int((datetime(2028, 1, 1, tzinfo=UTC) - first).total_seconds())
    return [(first + timedelta(seconds=rng.randrange(span))).astimezone(zone) for _ in range(calls)]


def calendar_throughput(*, calls: int = 200_000, seed: int = 1) -> dict[str, float]:
    """Time ``add_business_minutes`` and ``business_minutes_between`` separately.

    Inputs are generated before timing; the (lazily built) interval cache is *not*
    warmed up, so one-off construction cost is included in the figures.
    """
    rng = random.Random(seed)
    calendar = build_realistic_calendar()
    starts = _random_starts(rng, calls)
    minutes = [rng.randint(0, _MAX_MINUTES) for _ in range(calls)]

    add = calendar.add_business_minutes
    began = time.perf_counter()
    ends = [add(start, amount) for start, amount in zip(starts, minutes)]
    add_seconds = time.perf_counter() - began

    between = calendar.business_minutes_between
    began = time.perf_counter()
    for start, end in zip(starts, ends):
        between(start, end)
    between_seconds = time.perf_counter() - began

    return {
        "add_per_second": calls / add_seconds,
        "between_per_second": calls / between_seconds,
        "calls": calls,
    }


if __name__ == "__main__":
    figures = calendar_throughput()
    print(f"calls:                    {figures['calls']:,}")
    print(f"add_business_minutes:     {figures['add_per_second']:,.0f} calls/s")
    print(f"business_minutes_between: {figures['between_per_second']:,.0f} calls/s")
