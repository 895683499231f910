"""Writes of the dashboard rollups: the periodic refresh and the full rebuild.

Why a periodic refresh from the raw rows and not an upsert inside every change: the
figures group by the ticket's *current* priority, organisation and assignee, and count
ratings given days after the resolution, so an exact in-transaction rollup needs a hook in
every service that changes any of those (clock start/meet/breach/stop, priority and
organisation changes, assignment, rating, reopen) — a missed hook leaves a figure wrong for
good. Recomputing whole days from the raw rows cannot drift, and the dashboard stays exact
for everything new: it reads the rollups up to `covered_to` (the instant of the last
refresh) and computes the rest live, the minutes since then, through the same grouped
queries (by the started/breached/created/resolved indexes). A change to what is already
rolled up (a clock started yesterday and breached now, a late rating) shows after the next
refresh, within TIERDESK_ROLLUP_REFRESH_SECONDS; changes older than
TIERDESK_ROLLUP_REFRESH_DAYS need `manage.py rollups_rebuild`.

Rows exist per time zone (the site's and every manager's) because a day starts at the
reader's midnight. What the dashboard computes live is bounded: a reader whose zone has no
rows yet, whose period starts before the rows, or whose rows are older than
`live_limit()` (the beat stopped) brings the rollups up to date first, once
(`rollups_cover`), so no request computes days of history from the raw rows.

The refresh also folds the active-ticket counts (reports.counts) into one row per key.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import Role, User

from .counts import active_counts_fold, active_counts_recount
from .models import ALL_ORGANISATIONS, Rollup, RollupState
from .rollups import Row, raw_rows

# Before any clock, event or rating (the dashboard refuses earlier days).
BEGINNING = dt.date(2000, 1, 1)
INSERT_BATCH = 5000


def day_start(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), tz)


def rollup_zones() -> list[str]:
    """The site's zone and every manager's: the zones a dashboard is read in."""
    managers = User.objects.filter(Q(role=Role.MANAGER) | Q(is_superuser=True), is_active=True)
    zones = set(managers.values_list("time_zone", flat=True).distinct()) | {settings.TIME_ZONE}
    return sorted(z for z in zones if z in zoneinfo.available_timezones())


def _write(zone: str, rows: Iterable[Row]) -> int:
    """The rows of each organisation, and their sums as the all-organisations rows."""
    totals: dict[tuple, float] = {}
    made = []
    for row in rows:
        made.append(_rollup(zone, row, row.organisation_id, row.value))
        key = (row.day, row.metric, row.tier, row.priority, row.technician_id, row.bucket)
        totals[key] = totals.get(key, 0.0) + row.value
    for (day, metric, tier, priority, tech, bucket), value in totals.items():
        every = Row(day, ALL_ORGANISATIONS, metric, value, tier, priority, tech, bucket)
        made.append(_rollup(zone, every, ALL_ORGANISATIONS, value))
    Rollup.objects.bulk_create(made, batch_size=INSERT_BATCH)
    return len(made)


def _rollup(zone: str, row: Row, org: int | None, value: float) -> Rollup:
    assert row.day is not None  # raw rows always carry their local day
    return Rollup(
        zone=zone,
        day=row.day,
        organisation_id=org,
        metric=row.metric,
        tier=row.tier or "",
        priority=row.priority or "",
        technician_id=row.technician_id,
        bucket=row.bucket,
        value=value,
    )


def _recompute(zone: str, *, first: dt.date, now: dt.datetime) -> int:
    """Rows of `zone` for the local days from `first` on, up to `now`; the state moved."""
    tz = zoneinfo.ZoneInfo(zone)
    # The state row serialises refreshes of a zone; two first refreshes of a new zone race to
    # create it and the loser rolls back on its unique zone (no row is ever counted twice).
    state = RollupState.objects.select_for_update().filter(zone=zone).first()
    if state is not None and first > timezone.localtime(state.covered_to, tz).date():
        first = timezone.localtime(state.covered_to, tz).date()  # no gap after a long pause
    Rollup.objects.filter(zone=zone, day__gte=first).delete()
    written = _write(zone, raw_rows(ranges=[(day_start(first, tz), now)], tz=tz))
    covered_from = min(first, state.covered_from) if state else first
    RollupState.objects.update_or_create(
        zone=zone,
        defaults={"covered_from": covered_from, "covered_to": now, "refreshed_at": now},
    )
    return written


@transaction.atomic
def rollups_rebuild(*, now: dt.datetime | None = None) -> int:
    """Recompute every rollup row of every zone from the raw rows (all history up to now).

    Returns the number of rows written. One transaction: readers see the old rows until it
    commits, and a concurrent refresh waits on the state rows.
    """
    now = now or timezone.now()
    zones = rollup_zones()
    RollupState.objects.select_for_update().exclude(zone__in=zones).delete()
    Rollup.objects.exclude(zone__in=zones).delete()
    written = sum(_recompute(zone, first=BEGINNING, now=now) for zone in zones)
    active_counts_recount()
    return written


@transaction.atomic
def rollups_refresh(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Recompute the last `days` local days (TIERDESK_ROLLUP_REFRESH_DAYS) and today so far,
    in every zone; also any gap since a zone's last refresh. Returns the rows written."""
    now = now or timezone.now()
    days = settings.TIERDESK_ROLLUP_REFRESH_DAYS if days is None else days
    written = 0
    for zone in rollup_zones():
        today = timezone.localtime(now, zoneinfo.ZoneInfo(zone)).date()
        written += _recompute(zone, first=today - dt.timedelta(days=days), now=now)
    active_counts_fold(now=now)
    return written


def live_limit() -> dt.timedelta:
    """How far behind the rollups may be before a reader brings them up to date: three
    beat intervals (a refresh or two missed), never under an hour."""
    seconds = 3 * max(int(settings.TIERDESK_ROLLUP_REFRESH_SECONDS), 30)
    return dt.timedelta(seconds=max(seconds, 3600))


def _covers(state: RollupState | None, first: dt.date, now: dt.datetime) -> bool:
    return (
        state is not None and state.covered_from <= first and state.covered_to >= now - live_limit()
    )


def rollups_cover(
    *, zone: str, first: dt.date, now: dt.datetime | None = None
) -> RollupState | None:
    """The rollup state of `zone`, brought up to date first when it does not cover the local
    days from `first` on up to `live_limit()` ago: a zone never refreshed gets the beat's
    refresh (reaching back to `first`), rows older than the limit are caught up from their
    last day, days before the rows are added. Paid once, by the first reader; the later
    ones read the rows. None for a zone that is not a time zone (nothing to store).

    Waits for a refresh that holds the zone's state row, then looks again: two readers
    never compute the same days.
    """
    now = now or timezone.now()
    state = RollupState.objects.filter(zone=zone).first()
    if _covers(state, first, now) or zone not in zoneinfo.available_timezones():
        return state
    tz = zoneinfo.ZoneInfo(zone)
    today = timezone.localtime(now, tz).date()
    with transaction.atomic():
        state = RollupState.objects.select_for_update().filter(zone=zone).first()
        if state is None:
            days = settings.TIERDESK_ROLLUP_REFRESH_DAYS
            _recompute(zone, first=min(first, today - dt.timedelta(days=days)), now=now)
        elif not _covers(state, first, now):
            if state.covered_to < now - live_limit():
                _recompute(zone, first=today, now=now)  # from the last covered day on
            if state.covered_from > first:
                _backfill(state, first=first, tz=tz)
    return RollupState.objects.filter(zone=zone).first()


def _backfill(state: RollupState, *, first: dt.date, tz: dt.tzinfo) -> int:
    """Rows for the local days from `first` up to the state's first day (locked state)."""
    state.refresh_from_db()
    if state.covered_from <= first:
        return 0
    Rollup.objects.filter(zone=state.zone, day__gte=first, day__lt=state.covered_from).delete()
    ranges = [(day_start(first, tz), day_start(state.covered_from, tz))]
    written = _write(state.zone, raw_rows(ranges=ranges, tz=tz))
    state.covered_from = first
    state.save(update_fields=["covered_from"])
    return written
