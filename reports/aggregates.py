"""Percentiles: PostgreSQL's percentile_cont, and the same definition in Python for SQLite."""

from __future__ import annotations

from django.db.models import Aggregate, FloatField


class PercentileSeconds(Aggregate):
    """PostgreSQL's percentile_cont over a duration, in seconds."""

    function = "percentile_cont"
    template = (
        "%(function)s(%(fraction)s) WITHIN GROUP "
        "(ORDER BY CAST(EXTRACT(EPOCH FROM %(expressions)s) AS double precision))"
    )
    output_field = FloatField()

    def __init__(self, expression, *, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation, the same definition as percentile_cont."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
