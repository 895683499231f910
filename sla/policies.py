"""From the SLA tables to the pure objects the clock engine computes with.

`business_calendar()` turns a Calendar row into a `BusinessCalendar` and
`agreement_targets()` an Agreement's Target rows into a lookup table. Both are
cached per process, keyed by the row's id and `updated_at`: any save (and any
change of a closed date or target, which touches its parent, see receivers)
changes the key, so a stale entry is never used, in this or another process.
Building a calendar fetches the closed dates and computes public holidays;
after that a deadline costs no query at all.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import holidays as holiday_data
from django.db.models import Q
from django.utils import timezone

from .calendars import BusinessCalendar
from .models import Agreement, Calendar, ClockKind, ClosedDate, Target

# Public holidays are materialised for this many years around "now"; the cache
# key includes the current year, so a long-running process rolls over.
HOLIDAY_YEARS_BEFORE = 2
HOLIDAY_YEARS_AFTER = 3
# Ahead at most (a target of more than a century of business time is a typo).
HOLIDAY_YEARS_MAX = 100

logger = logging.getLogger(__name__)

TargetKey = tuple[str, str, str, bool]  # kind, tier ("" for resolution), priority, vip

_lock = threading.Lock()
# By (calendar id, horizon): agreements with different longest targets may share a calendar.
_calendars: dict[tuple[int, int], tuple[tuple, BusinessCalendar]] = {}
_targets: dict[int, tuple[tuple, dict[TargetKey, int]]] = {}


def public_holidays(*, country: str, subdivision: str, years: Iterable[int]) -> set[date]:
    """Holidays of the `holidays` package; raises NotImplementedError for unknown codes."""
    if not country:
        return set()
    return set(holiday_data.country_holidays(country, subdiv=subdivision or None, years=years))


def holiday_years_after(*, horizon_minutes: int, weekly_minutes: float) -> int:
    """Years of public holidays to load ahead so a target of `horizon_minutes` business
    minutes, started now, lands inside them (plus a year for pauses and late starts)."""
    if horizon_minutes <= 0 or weekly_minutes <= 0:
        return HOLIDAY_YEARS_AFTER
    weeks = horizon_minutes / weekly_minutes
    # Holidays themselves push the deadline out: count 46 working weeks a year.
    return min(max(HOLIDAY_YEARS_AFTER, math.ceil(weeks / 46) + 1), HOLIDAY_YEARS_MAX)


def build_business_calendar(
    calendar: Calendar, *, closed_dates: Iterable[date], year: int, horizon_minutes: int = 0
) -> BusinessCalendar:
    """The pure calendar for a Calendar row (no cache, no query).

    Fails safe: a row that cannot make a calendar (hours written around validation, an
    unknown zone or country) is logged and counts elapsed time instead (24×7, UTC if the zone
    is unknown), so deadlines come early rather than ticket creation failing for everyone.
    """
    closed = set(closed_dates)
    if calendar.always_open:
        # 24×7 counts elapsed time: hours and holidays do not apply.
        return _always(calendar)
    try:
        hours = {int(day): [tuple(pair) for pair in pairs] for day, pairs in calendar.hours.items()}
        week = BusinessCalendar(calendar.time_zone, hours)
        after = holiday_years_after(
            horizon_minutes=horizon_minutes, weekly_minutes=week.weekly_minutes
        )
        years = range(year - HOLIDAY_YEARS_BEFORE, year + after + 1)
        closed |= public_holidays(
            country=calendar.holiday_country, subdivision=calendar.holiday_subdivision, years=years
        )
        return BusinessCalendar(calendar.time_zone, hours, closed)
    except Exception:  # noqa: BLE001 - any defect of the row; see the docstring
        logger.error(
            "calendar %s (%s) cannot be used; counting elapsed time instead",
            calendar.pk,
            calendar.name,
            exc_info=True,
        )
        return _always(calendar)


def _always(calendar: Calendar) -> BusinessCalendar:
    try:
        return BusinessCalendar.always(calendar.time_zone)
    except Exception:  # noqa: BLE001
        return BusinessCalendar.always("UTC")


def business_calendar(calendar: Calendar, *, horizon_minutes: int = 0) -> BusinessCalendar:
    """The cached pure calendar of a Calendar row (one query on a cache miss); holidays are
    loaded far enough ahead for a target of `horizon_minutes`."""
    year = timezone.now().year
    key = (calendar.updated_at, year)
    cached = _calendars.get((calendar.pk, horizon_minutes))
    if cached is not None and cached[0] == key:
        return cached[1]
    dates = ClosedDate.objects.filter(calendar_id=calendar.pk).values_list("date", flat=True)
    built = build_business_calendar(
        calendar, closed_dates=list(dates), year=year, horizon_minutes=horizon_minutes
    )
    with _lock:
        _calendars[(calendar.pk, horizon_minutes)] = (key, built)
    return built


def agreement_targets(agreement: Agreement) -> dict[TargetKey, int]:
    """The agreement's target minutes by (kind, tier, priority, vip), cached like calendars."""
    key = (agreement.updated_at,)
    cached = _targets.get(agreement.pk)
    if cached is not None and cached[0] == key:
        return cached[1]
    rows = Target.objects.filter(agreement_id=agreement.pk).values_list(
        "kind", "tier", "priority", "vip", "minutes"
    )
    table = {(kind, tier, priority, vip): minutes for kind, tier, priority, vip, minutes in rows}
    with _lock:
        _targets[agreement.pk] = (key, table)
    return table


def forget(*, calendar_id: int | None = None, agreement_id: int | None = None) -> None:
    """Drop cached entries now (the updated_at key covers other processes)."""
    with _lock:
        if calendar_id is not None:
            for cached in [k for k in _calendars if k[0] == calendar_id]:
                _calendars.pop(cached, None)
        if agreement_id is not None:
            _targets.pop(agreement_id, None)


@dataclass(frozen=True)
class Policy:
    """Everything needed to put deadlines on a ticket's clocks."""

    agreement: Agreement
    calendar: BusinessCalendar
    targets: dict[TargetKey, int]

    def minutes(self, *, kind: str, tier: str, priority: str, vip: bool) -> int | None:
        """The target for a clock; VIP targets win for VIP tickets when the agreement has them."""
        tier = tier if kind == ClockKind.RESPONSE else ""
        if vip:
            found = self.targets.get((kind, tier, priority, True))
            if found is not None:
                return found
        return self.targets.get((kind, tier, priority, False))

    @property
    def warning_fraction(self) -> float:
        return self.agreement.warning_percent / 100


def policy_for(agreement: Agreement) -> Policy:
    """Agreement (with its calendar already loaded) → Policy, from the caches."""
    targets = agreement_targets(agreement)
    return Policy(
        agreement=agreement,
        calendar=business_calendar(
            agreement.calendar, horizon_minutes=max(targets.values(), default=0)
        ),
        targets=targets,
    )


def applicable_agreements(organisation_ids: Iterable[int | None]) -> dict[int | None, Agreement]:
    """Which agreement applies per organisation id (None: no organisation), in one query.

    An organisation's own agreement wins; everyone else gets the default. Keys
    without any agreement (no default configured) are missing from the result.
    """
    wanted = {org for org in organisation_ids if org is not None}
    rows = Agreement.objects.select_related("calendar").filter(
        Q(is_default=True) | Q(organisation_id__in=wanted)
    )
    default = None
    by_org: dict[int | None, Agreement] = {}
    for agreement in rows:
        if agreement.is_default:
            default = agreement
        if agreement.organisation_id is not None:
            by_org[agreement.organisation_id] = agreement
    result: dict[int | None, Agreement] = {}
    for org in [*wanted, None]:
        chosen = by_org.get(org) if org is not None else None
        if chosen is None:
            chosen = default
        if chosen is not None:
            result[org] = chosen
    return result


def applicable_agreement(organisation_id: int | None) -> Agreement | None:
    return applicable_agreements([organisation_id]).get(organisation_id)
