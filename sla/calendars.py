"""Business-time arithmetic over wall-clock working hours in an IANA time zone.

A :class:`BusinessCalendar` answers "when is N working minutes after this instant?" and
"how many working minutes lie between these two instants?" for SLA deadlines.

Semantics (a contract other code relies on):

* Working hours are *wall-clock* hours in the calendar's zone: 09:00-17:00 is 8 hours on
  every day, DST change days included.  Each local interval boundary is mapped to a real
  instant and the time between the two instants is what counts, so a 24x7 calendar counts
  real elapsed time (23 h on a spring-forward day, 25 h on a fall-back day).
* A boundary inside a DST *gap* (a wall time that does not exist) maps to the first
  instant after the gap.  A boundary inside a DST *fold* (a wall time that occurs twice)
  maps to its first occurrence (``fold=0``), consistently for starts and ends.
* Intervals are half-open ``[start, end)``; an interval may end at ``"24:00"``.  Intervals
  that touch across midnight (22:00-24:00 Monday plus 00:00-06:00 Tuesday) form one
  continuous stretch.
* Overlapping or touching intervals of one weekday are *normalised*: sorted and merged.
  Malformed times, ``start >= end``, weekdays outside 0-6 and calendars without any
  working time raise :class:`CalendarError`.
* A start outside working time counts from the next opening, so
  ``add_business_minutes(start, 0)`` returns ``next_opening(start)``.  A target that lands
  exactly on the end of a working stretch returns that end, not the next opening.
* Inputs must be aware datetimes (any zone); results are aware datetimes in the
  calendar's zone.  Internally everything is integer epoch microseconds, so
  ``business_minutes_between(s, add_business_minutes(s, m)) == m`` exactly for integer m.

Performance: working intervals are materialised lazily, a year or more at a time, as
sorted arrays of UTC epoch microseconds together with running totals of working time
(prefix sums).  Adding time or measuring a span is then two binary searches, independent
of the number of minutes, days or weeks involved.
"""

from __future__ import annotations

import math
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from itertools import chain
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["BusinessCalendar", "CalendarError", "MAX_IDLE_DAYS"]

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_DAY = 86_400 * US_PER_SECOND

#: add_business_* gives up when it finds no working time for this many days.
MAX_IDLE_DAYS = 5 * 366
_MAX_IDLE_US = MAX_IDLE_DAYS * US_PER_DAY

#: How far beyond the requested instant the lazily built timeline reaches at least.
_CHUNK_DAYS = 366

# Keep two days clear of datetime's limits so that offsets and "24:00" never overflow.
_MIN_DATE = date.min + timedelta(days=2)
_MAX_DATE = date.max - timedelta(days=2)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)  # noqa: DTZ001 - naive UTC, for wall-clock maths
_ONE_US = timedelta(microseconds=1)
_ONE_SECOND = timedelta(seconds=1)
_HHMM = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?")

_Interval = tuple[int, int]
TimeOfDay = str | time
HoursSpec = Mapping[int, Iterable[tuple[TimeOfDay, TimeOfDay]]]


class CalendarError(ValueError):
    """Invalid calendar definition, invalid input, or no working time to be found."""


# --------------------------------------------------------------------------- parsing


def _parse_time_of_day(value: TimeOfDay) -> int:
    """Microseconds since local midnight for ``"HH:MM[:SS[.ffffff]]"`` (up to ``"24:00"``)
    or a naive ``datetime.time``."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise CalendarError(f"working hours must be naive wall-clock times, got {value!r}")
        seconds = (value.hour * 60 + value.minute) * 60 + value.second
        return seconds * US_PER_SECOND + value.microsecond
    if not isinstance(value, str):
        raise CalendarError(f"time of day must be 'HH:MM' or datetime.time, got {value!r}")
    match = _HHMM.fullmatch(value.strip())
    if match is None:
        raise CalendarError(f"malformed time of day {value!r}, expected 'HH:MM'")
    hour, minute = int(match.group(1)), int(match.group(2))
    second = int(match.group(3) or 0)
    micro = int((match.group(4) or "0").ljust(6, "0"))
    offset = ((hour * 60 + minute) * 60 + second) * US_PER_SECOND + micro
    if minute > 59 or second > 59 or offset > US_PER_DAY:
        raise CalendarError(f"time of day out of range: {value!r}")
    return offset


def _normalise_day(weekday: int, intervals: object) -> tuple[_Interval, ...]:
    """Parse one weekday's intervals, then sort and merge overlapping or touching ones.

    Merging (rather than rejecting) keeps configurations like 08:00-12:00 plus 11:00-16:00
    usable; the result is the union of the given intervals either way.
    """
    if isinstance(intervals, (str, bytes)) or not isinstance(intervals, Iterable):
        raise CalendarError(f"weekday {weekday}: expected a list of (start, end) pairs")
    parsed: list[_Interval] = []
    for item in intervals:
        try:
            raw_start, raw_end = item
        except (TypeError, ValueError):
            raise CalendarError(f"weekday {weekday}: {item!r} is not a (start, end) pair") from None
        start, end = _parse_time_of_day(raw_start), _parse_time_of_day(raw_end)
        if start >= end:
            raise CalendarError(f"weekday {weekday}: interval {item!r} must start before it ends")
        parsed.append((start, end))
    parsed.sort()
    merged: list[_Interval] = []
    for start, end in parsed:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _normalise_hours(hours: HoursSpec) -> tuple[tuple[_Interval, ...], ...]:
    """Turn the weekday mapping into a 7-tuple (Monday first) of normalised intervals."""
    if not isinstance(hours, Mapping):
        raise CalendarError("hours must be a mapping of weekday (0=Monday) to intervals")
    week: list[tuple[_Interval, ...]] = [() for _ in range(7)]
    for weekday, intervals in hours.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise CalendarError(f"weekday must be an int 0 (Monday) .. 6 (Sunday), got {weekday!r}")
        week[weekday] = _normalise_day(weekday, intervals)
    if not any(week):
        raise CalendarError("calendar has no working time at all")
    return tuple(week)


def _normalise_holidays(holidays: Iterable[date] | None) -> frozenset[date]:
    """Collect closed local dates; datetimes are reduced to their date."""
    if holidays is None:
        return frozenset()
    try:
        items = list(holidays)
    except TypeError:
        raise CalendarError("holidays must be an iterable of dates") from None
    closed: set[date] = set()
    for item in items:
        if isinstance(item, datetime):
            item = item.date()
        elif not isinstance(item, date):
            raise CalendarError(f"holiday must be a date, got {item!r}")
        closed.add(item)
    return frozenset(closed)


def _coerce_tz(tz: str | tzinfo) -> tzinfo:
    """Accept an IANA name or a tzinfo (ideally ZoneInfo, for PEP 495 fold support)."""
    if isinstance(tz, tzinfo):
        return tz
    if isinstance(tz, str):
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise CalendarError(f"unknown time zone {tz!r}") from None
    raise CalendarError(f"tz must be an IANA zone name or tzinfo, got {tz!r}")


def _amount_us(amount: int | float, unit_us: int) -> int:
    """Convert a non-negative amount of units to integer microseconds (exact for ints)."""
    if isinstance(amount, bool):
        raise CalendarError(f"amount must be a number, got {amount!r}")
    if isinstance(amount, int):
        result = amount * unit_us
    elif isinstance(amount, (float, Fraction, Decimal)):
        if not math.isfinite(amount):
            raise CalendarError(f"amount must be finite, got {amount!r}")
        result = round(amount * unit_us)
    else:
        raise CalendarError(f"amount must be a number, got {amount!r}")
    if result < 0:
        raise CalendarError(f"amount must not be negative, got {amount!r}")
    return result


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True, slots=True)
class _Timeline:
    """Working intervals over the local dates ``[lo_date, hi_date)`` as UTC epoch µs.

    ``cum_start[i]``/``cum_end[i]`` are running totals of working µs at the start/end of
    interval ``i``; ``base`` is the running total at ``lo_us``.  Totals are anchored so
    that extending the timeline (either way) never changes existing values, which lets a
    computation that started on an older snapshot continue on a newer one.  Published
    instances are never mutated, so readers need no lock.
    """

    lo_date: date
    hi_date: date
    lo_us: int
    hi_us: int
    starts: list[int]
    ends: list[int]
    cum_start: list[int]
    cum_end: list[int]
    base: int
    total: int

    def cum_at(self, moment: int) -> int:
        """Working µs before ``moment`` (which must lie within ``[lo_us, hi_us]``)."""
        i = bisect_right(self.starts, moment) - 1
        if i < 0:
            return self.base
        return self.cum_start[i] + min(moment, self.ends[i]) - self.starts[i]


def _make_timeline(
    lo_date: date, hi_date: date, lo_us: int, hi_us: int, pairs: Iterable[_Interval], base: int
) -> _Timeline:
    """Build a timeline from sorted intervals, merging touching ones (night shifts)."""
    starts: list[int] = []
    ends: list[int] = []
    cum_start: list[int] = []
    cum_end: list[int] = []
    running = base
    for start, end in pairs:
        if ends and start <= ends[-1]:
            grown = max(0, end - ends[-1])
            if grown:
                ends[-1] += grown
                running += grown
                cum_end[-1] = running
            continue
        if end <= start:  # collapsed, e.g. both boundaries inside one DST gap
            continue
        starts.append(start)
        ends.append(end)
        cum_start.append(running)
        running += end - start
        cum_end.append(running)
    return _Timeline(
        lo_date, hi_date, lo_us, hi_us, starts, ends, cum_start, cum_end, base, running
    )


# --------------------------------------------------------------------------- calendar


class BusinessCalendar:
    """Working hours per weekday in one time zone, minus closed dates.

    Instances are immutable from the outside and safe to share between threads; they
    lazily grow an internal cache of working intervals as callers reach further out.
    """

    __slots__ = ("_tz", "_week", "_holidays", "_weekly_us", "_timeline", "_lock")

    def __init__(
        self, tz: str | tzinfo, hours: HoursSpec, holidays: Iterable[date] | None = ()
    ) -> None:
        self._tz = _coerce_tz(tz)
        self._week = _normalise_hours(hours)
        self._holidays = _normalise_holidays(holidays)
        self._weekly_us = sum(end - start for day in self._week for start, end in day)
        self._timeline: _Timeline | None = None
        self._lock = threading.Lock()

    @classmethod
    def always(
        cls, tz: str | tzinfo = "UTC", holidays: Iterable[date] | None = ()
    ) -> BusinessCalendar:
        """A 24x7 calendar: counts real elapsed time (except on given holidays)."""
        return cls(tz, {day: [("00:00", "24:00")] for day in range(7)}, holidays)

    # ----------------------------------------------------------------- introspection

    @property
    def tz(self) -> tzinfo:
        """The calendar's time zone; results are returned in it."""
        return self._tz

    @property
    def holidays(self) -> frozenset[date]:
        """Local dates without working time."""
        return self._holidays

    @property
    def hours(self) -> dict[int, tuple[tuple[str, str], ...]]:
        """Normalised working intervals per weekday, as accepted by the constructor."""
        return {
            weekday: tuple((_format_tod(s), _format_tod(e)) for s, e in day)
            for weekday, day in enumerate(self._week)
            if day
        }

    @property
    def weekly_minutes(self) -> float:
        """Nominal working minutes in a week without holidays (wall-clock, DST ignored)."""
        return self._weekly_us / US_PER_MINUTE

    def __repr__(self) -> str:
        zone = getattr(self._tz, "key", self._tz)
        return (
            f"BusinessCalendar(tz={zone!r}, weekly_minutes={self.weekly_minutes:g}, "
            f"holidays={len(self._holidays)})"
        )

    # ----------------------------------------------------------------- public API

    def add_business_minutes(self, start: datetime, minutes: int | float) -> datetime:
        """The instant ``minutes`` working minutes after ``start`` (counted from the next
        opening if ``start`` is outside working time)."""
        return self._from_us(self._add_us(self._to_us(start), _amount_us(minutes, US_PER_MINUTE)))

    def add_business_seconds(self, start: datetime, seconds: int | float) -> datetime:
        """Like :meth:`add_business_minutes`, in seconds."""
        return self._from_us(self._add_us(self._to_us(start), _amount_us(seconds, US_PER_SECOND)))

    def business_minutes_between(self, start: datetime, end: datetime) -> float:
        """Working minutes in ``[start, end)``; 0 when ``end <= start``."""
        return self._between_us(self._to_us(start), self._to_us(end)) / US_PER_MINUTE

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working seconds in ``[start, end)``; 0 when ``end <= start``."""
        return self._between_us(self._to_us(start), self._to_us(end)) / US_PER_SECOND

    def is_working_time(self, moment: datetime) -> bool:
        """True if ``moment`` lies inside a working interval (ends are exclusive)."""
        point = self._to_us(moment)
        timeline = self._ensure(point)
        i = bisect_right(timeline.starts, point) - 1
        return i >= 0 and point < timeline.ends[i]

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` itself if it is working time, else the start of the next stretch."""
        opening, _ = self._next_opening_us(self._to_us(moment))
        return self._from_us(opening)

    # ----------------------------------------------------------------- core (epoch µs)

    def _add_us(self, start: int, amount: int) -> int:
        """Walk ``amount`` working µs forward from ``start`` via the prefix sums."""
        opening, timeline = self._next_opening_us(start)
        if amount == 0:
            return opening
        target = timeline.cum_at(opening) + amount
        while target > timeline.total:
            if timeline.hi_us - timeline.ends[-1] > _MAX_IDLE_US:
                raise CalendarError(f"no working time within {MAX_IDLE_DAYS} days")
            timeline = self._extend_forward(timeline)
        cum_end = timeline.cum_end
        i = bisect_left(cum_end, target)
        # target lies in (cum_start[i], cum_end[i]]: landing on an end returns that end.
        return timeline.ends[i] - (cum_end[i] - target)

    def _between_us(self, start: int, end: int) -> int:
        """Difference of two prefix sums, so cost does not depend on the span's length."""
        if end <= start:
            return 0
        self._ensure(start)
        timeline = self._ensure(end)  # timelines only grow, so this still covers start
        return timeline.cum_at(end) - timeline.cum_at(start)

    def _next_opening_us(self, moment: int) -> tuple[int, _Timeline]:
        """First working instant at or after ``moment``, plus a timeline covering it."""
        timeline = self._ensure(moment)
        while True:
            i = bisect_right(timeline.ends, moment)
            if i < len(timeline.ends):
                start = timeline.starts[i]
                return (start if start > moment else moment), timeline
            if timeline.hi_us - moment > _MAX_IDLE_US:
                raise CalendarError(f"no working time within {MAX_IDLE_DAYS} days")
            timeline = self._extend_forward(timeline)

    # ----------------------------------------------------------------- conversions

    def _to_us(self, moment: datetime) -> int:
        """Exact epoch microseconds of an aware datetime (fold respected)."""
        try:
            return (moment - _EPOCH) // _ONE_US
        except TypeError:
            if isinstance(moment, datetime):
                raise CalendarError(f"naive datetime not allowed: {moment!r}") from None
            raise CalendarError(f"expected an aware datetime, got {moment!r}") from None

    def _from_us(self, moment: int) -> datetime:
        try:
            return (_EPOCH + timedelta(microseconds=moment)).astimezone(self._tz)
        except OverflowError:
            raise CalendarError("result outside the supported date range") from None

    def _wall_to_us(self, day: date, offset_us: int) -> int:
        """Instant of local wall time ``day + offset_us`` (offset may be 24:00).

        Gap: the first instant after the gap.  Fold: the first occurrence (fold=0).
        """
        midnight = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - wall clock
        naive = midnight + timedelta(microseconds=offset_us)
        local = naive.replace(tzinfo=self._tz)
        before = local.utcoffset()
        after = local.replace(fold=1).utcoffset()
        if before is None or after is None:
            raise CalendarError(f"time zone {self._tz!r} gives no UTC offset")
        if after > before:  # nonexistent wall time: PEP 495 gives fold=1 the later offset
            return self._transition_us(naive - after, naive - before)
        return (naive - before - _EPOCH_NAIVE) // _ONE_US

    def _transition_us(self, low: datetime, high: datetime) -> int:
        """Bisect (at 1 s resolution, like tzdata) the UTC instant a DST gap begins.

        ``low``/``high`` are naive UTC times known to lie before/after the transition.
        """
        lo_s = (low - _EPOCH_NAIVE) // _ONE_SECOND
        hi_s = -((_EPOCH_NAIVE - high) // _ONE_SECOND)
        target = self._offset_at(hi_s)
        while hi_s - lo_s > 1:
            mid = (lo_s + hi_s) // 2
            if self._offset_at(mid) == target:
                hi_s = mid
            else:
                lo_s = mid
        return hi_s * US_PER_SECOND

    def _offset_at(self, epoch_seconds: int) -> timedelta | None:
        return (_EPOCH + timedelta(seconds=epoch_seconds)).astimezone(self._tz).utcoffset()

    def _local_date(self, moment: int) -> date:
        return self._from_us(moment).date()

    # ----------------------------------------------------------------- timeline cache

    def _day_intervals(self, day: date) -> list[_Interval]:
        """UTC intervals of one local date (none on holidays)."""
        if day in self._holidays:
            return []
        return [
            (self._wall_to_us(day, s), self._wall_to_us(day, e))
            for s, e in self._week[day.weekday()]
        ]

    def _range_intervals(self, first: date, stop: date) -> Iterator[_Interval]:
        day = first
        while day < stop:
            yield from self._day_intervals(day)
            day += timedelta(days=1)

    def _build(self, lo: date, hi: date, pairs: Iterable[_Interval], base: int) -> _Timeline:
        lo_us, hi_us = self._wall_to_us(lo, 0), self._wall_to_us(hi, 0)
        return _make_timeline(lo, hi, lo_us, hi_us, pairs, base)

    def _ensure(self, moment: int) -> _Timeline:
        """A timeline whose range contains ``moment`` (fast path: no lock, no allocation)."""
        timeline = self._timeline
        if timeline is not None and timeline.lo_us <= moment < timeline.hi_us:
            return timeline
        with self._lock:
            timeline = self._timeline
            day = self._local_date(moment)
            if timeline is None:
                lo = max(day - timedelta(days=7), _MIN_DATE)
                hi = min(day + timedelta(days=_CHUNK_DAYS), _MAX_DATE)
                timeline = self._build(lo, hi, self._range_intervals(lo, hi), 0)
            elif moment < timeline.lo_us:
                timeline = self._prepend(timeline, min(day, timeline.lo_date))
            elif moment >= timeline.hi_us:
                timeline = self._append(timeline, max(day, timeline.hi_date))
            if not timeline.lo_us <= moment < timeline.hi_us:
                raise CalendarError("instant outside the supported date range")
            self._timeline = timeline
            return timeline

    def _extend_forward(self, seen: _Timeline) -> _Timeline:
        """Grow the timeline past ``seen.hi_date`` (unless another thread already did)."""
        with self._lock:
            current = self._timeline
            assert current is not None
            if current.hi_us > seen.hi_us:
                return current
            current = self._append(current, current.hi_date)
            self._timeline = current
            return current

    def _append(self, timeline: _Timeline, needed: date) -> _Timeline:
        """Extend to cover ``needed`` plus a margin (geometric, so big jumps stay cheap)."""
        span = (timeline.hi_date - timeline.lo_date).days
        margin = timedelta(days=max(_CHUNK_DAYS, span // 2))
        hi = min(max(needed + timedelta(days=_CHUNK_DAYS), timeline.hi_date + margin), _MAX_DATE)
        if hi <= timeline.hi_date:
            raise CalendarError("no working time before the end of the supported date range")
        pairs = chain(
            zip(timeline.starts, timeline.ends), self._range_intervals(timeline.hi_date, hi)
        )
        return self._build(timeline.lo_date, hi, pairs, timeline.base)

    def _prepend(self, timeline: _Timeline, needed: date) -> _Timeline:
        """Extend backwards; the new base keeps all existing running totals unchanged."""
        lo = max(needed - timedelta(days=_CHUNK_DAYS), _MIN_DATE)
        if lo >= timeline.lo_date:
            raise CalendarError("instant outside the supported date range")
        earlier = [(s, e) for s, e in self._range_intervals(lo, timeline.lo_date) if e > s]
        added = sum(e - s for s, e in earlier)
        pairs = chain(earlier, zip(timeline.starts, timeline.ends))
        return self._build(lo, timeline.hi_date, pairs, timeline.base - added)


def _format_tod(offset_us: int) -> str:
    """Inverse of :func:`_parse_time_of_day`: ``"HH:MM"``, with seconds only if needed."""
    seconds, micro = divmod(offset_us, US_PER_SECOND)
    minutes, second = divmod(seconds, 60)
    text = f"{minutes // 60:02d}:{minutes % 60:02d}"
    if second or micro:
        text += f":{second:02d}"
    if micro:
        text += f".{micro:06d}"
    return text
