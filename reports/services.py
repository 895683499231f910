"""Writes of the dashboard rollups: the periodic refresh and the full rebuild.

Why a periodic refresh from the raw rows and not an upsert inside every change: the
figures group by the ticket's *current* priority, organisation and assignee, and count
ratings given days after the resolution, so an exact in-transaction rollup needs a hook in
every service that changes any of those (clock start/meet/breach/stop, priority and
organisation changes, assignment, rating, reopen) — a missed hook leaves a figure wrong for
good. Recomputing whole hours from the raw rows cannot drift: the dashboard reads rolled-up
hours before `covered_to` and computes everything after it live (the last minutes, cheap by
the started/breached/created/resolved indexes), so new activity shows at once; a change to
an hour already rolled up (a clock started yesterday and breached now) shows after the next
refresh, within `TIERDESK_ROLLUP_REFRESH_SECONDS`. Changes older than
`TIERDESK_ROLLUP_REFRESH_DAYS` (a rating months after the resolution) need a rebuild.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Rollup, RollupState
from .rollups import HOUR, UTC, Row, raw_rows

# Before any clock, event or rating (the dashboard refuses earlier days).
BEGINNING = dt.datetime(2000, 1, 1, tzinfo=UTC)
INSERT_BATCH = 5000


def floor_hour(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _state_for_update() -> RollupState:
    state, _created = RollupState.objects.select_for_update().get_or_create(pk=1)
    return state


def _write(rows: Iterable[Row]) -> int:
    made = [
        Rollup(
            hour=row.hour,
            organisation_id=row.organisation_id,
            metric=row.metric,
            kind=row.kind or "",
            tier=row.tier or "",
            priority=row.priority or "",
            technician_id=row.technician_id,
            bucket=row.bucket,
            value=row.value,
        )
        for row in rows
    ]
    Rollup.objects.bulk_create(made, batch_size=INSERT_BATCH)
    return len(made)


@transaction.atomic
def rollups_rebuild(*, now: dt.datetime | None = None) -> int:
    """Recompute every rollup row from the raw rows (all history up to the current hour).

    Returns the number of rows written. One transaction: readers see the old rows until
    it commits, and a concurrent refresh waits on the state row.
    """
    until = floor_hour(now or timezone.now())
    state = _state_for_update()
    Rollup.objects.all().delete()
    written = _write(raw_rows(ranges=[(BEGINNING, until)]))
    state.covered_from, state.covered_to, state.refreshed_at = BEGINNING, until, timezone.now()
    state.save(update_fields=["covered_from", "covered_to", "refreshed_at"])
    return written


@transaction.atomic
def rollups_refresh(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Recompute the last `days` (TIERDESK_ROLLUP_REFRESH_DAYS) up to the current hour.

    Also fills any gap since the last refresh, however long. Returns the rows written.
    """
    days = settings.TIERDESK_ROLLUP_REFRESH_DAYS if days is None else days
    until = floor_hour(now or timezone.now())
    state = _state_for_update()
    start = until - dt.timedelta(days=days)
    if state.covered_to is not None and state.covered_to < start:
        start = state.covered_to
    if state.covered_from is None or state.covered_to is None or state.covered_from > start:
        covered_from = start
    else:
        covered_from = state.covered_from
    start = max(start, BEGINNING)
    if start >= until:
        return 0
    Rollup.objects.filter(hour__gte=start, hour__lt=until).delete()
    written = _write(raw_rows(ranges=[(start, until)]))
    state.covered_from, state.covered_to, state.refreshed_at = covered_from, until, timezone.now()
    state.save(update_fields=["covered_from", "covered_to", "refreshed_at"])
    return written


__all__ = ["HOUR", "floor_hour", "rollups_rebuild", "rollups_refresh"]
