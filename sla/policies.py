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

TargetKey = tuple[str, str, str, bool]  # kind, tier ("" for resolution), priority, vip

_lock = threading.Lock()
_calendars: dict[int, tuple[tuple, BusinessCalendar]] = {}
_targets: dict[int, tuple[tuple, dict[TargetKey, int]]] = {}


def public_holidays(*, country: str, subdivision: str, years: Iterable[int]) -> set[date]:
    """Holidays of the `holidays` package; raises NotImplementedError for unknown codes."""
    if not country:
        return set()
    return set(holiday_data.country_holidays(country, subdiv=subdivision or None, years=years))


def build_business_calendar(
    calendar: Calendar, *, closed_dates: Iterable[date], year: int
) -> BusinessCalendar:
    """The pure calendar for a Calendar row (no cache, no query)."""
    closed = set(closed_dates)
    if calendar.always_open:
        # 24×7 counts elapsed time: hours and holidays do not apply.
        return BusinessCalendar.always(calendar.time_zone)
    years = range(year - HOLIDAY_YEARS_BEFORE, year + HOLIDAY_YEARS_AFTER + 1)
    closed |= public_holidays(
        country=calendar.holiday_country, subdivision=calendar.holiday_subdivision, years=years
    )
    hours = {int(day): [tuple(pair) for pair in pairs] for day, pairs in calendar.hours.items()}
    return BusinessCalendar(calendar.time_zone, hours, closed)


def business_calendar(calendar: Calendar) -> BusinessCalendar:
    """The cached pure calendar of a Calendar row (one query on a cache miss)."""
    year = timezone.now().year
    key = (calendar.updated_at, year)
    cached = _calendars.get(calendar.pk)
    if cached is not None and cached[0] == key:
        return cached[1]
    dates = ClosedDate.objects.filter(calendar_id=calendar.pk).values_list("date", flat=True)
    built = build_business_calendar(calendar, closed_dates=list(dates), year=year)
    with _lock:
        _calendars[calendar.pk] = (key, built)
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
            _calendars.pop(calendar_id, None)
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
    return Policy(
        agreement=agreement,
        calendar=business_calendar(agreement.calendar),
        targets=agreement_targets(agreement),
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
