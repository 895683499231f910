"""Property tests for sla.calendars (hypothesis).

Calendars cover the interesting shapes: holidays, a zone west of UTC with working time
across its DST transitions, a +12:45/+13:45 zone with split shifts, a night shift that
runs through midnight (and through Berlin's DST switch on Sundays), and 24x7.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla.calendars import BusinessCalendar

ONE_US = timedelta(microseconds=1)

BERLIN_OFFICE = BusinessCalendar(
    "Europe/Berlin",
    {day: [("09:00", "17:00")] for day in range(5)},
    holidays=holidays.country_holidays("DE", subdiv="BE", years=range(2024, 2031)),
)
NEW_YORK = BusinessCalendar(
    "America/New_York",
    # Sunday 01:00-04:00 straddles both US DST switches (02:00 local).
    {
        **{day: [("08:30", "12:00"), ("12:30", "17:30")] for day in range(6)},
        6: [("01:00", "04:00")],
    },
)
CHATHAM_SPLIT = BusinessCalendar(
    "Pacific/Chatham",
    # Sunday 02:00-04:00 straddles the Chatham DST switches (02:45 / 03:45 local).
    {
        **{day: [("07:15", "11:45"), ("12:30", "16:00"), ("16:30", "19:45")] for day in range(5)},
        6: [("02:00", "04:00")],
    },
)
NIGHT_SHIFT = BusinessCalendar(
    "Europe/Berlin",
    {day: [("00:00", "06:00"), ("22:00", "24:00")] for day in range(7)},
)
ALWAYS_BERLIN = BusinessCalendar.always("Europe/Berlin")

CALENDARS = [BERLIN_OFFICE, NEW_YORK, CHATHAM_SPLIT, NIGHT_SHIFT, ALWAYS_BERLIN]
INPUT_ZONES = [
    UTC,
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Pacific/Chatham"),
]

_FIRST = datetime(2025, 1, 1, tzinfo=UTC)
_LAST = datetime(2029, 1, 1, tzinfo=UTC)

# 2026 DST switches (UTC) of Berlin, New York and Chatham: uniform sampling over four
# years would rarely land in a gap or fold hour, so a share of instants is drawn near them.
DST_SWITCHES = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 4, 4, 14, tzinfo=UTC),
    datetime(2026, 9, 26, 14, tzinfo=UTC),
]
_NEAR = timedelta(days=2) // ONE_US

calendars = st.sampled_from(CALENDARS)
# Microsecond resolution, so non-minute-aligned starts are exercised too.
utc_instants = st.one_of(
    st.integers(0, (_LAST - _FIRST) // ONE_US).map(lambda us: _FIRST + us * ONE_US),
    st.builds(
        lambda switch, us: switch + us * ONE_US,
        st.sampled_from(DST_SWITCHES),
        st.integers(-_NEAR, _NEAR),
    ),
)
instants = st.builds(
    lambda moment, zone: moment.astimezone(zone), utc_instants, st.sampled_from(INPUT_ZONES)
)
minutes = st.integers(0, 2 * 43_200)

SETTINGS = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def utc(moment: datetime) -> datetime:
    """Compare in UTC: aware datetimes sharing a tzinfo compare by wall clock, ignoring fold."""
    return moment.astimezone(UTC)


def exact_us(minutes_value: float) -> int:
    """Recover the integer microseconds behind a float minute count."""
    return round(minutes_value * 60_000_000)


@SETTINGS
@given(calendars, instants, minutes)
def test_between_inverts_add(calendar, moment, amount):
    start = calendar.next_opening(moment)  # a start inside working time
    assert calendar.is_working_time(start)
    end = calendar.add_business_minutes(start, amount)
    assert calendar.business_minutes_between(start, end) == amount
    # Also from an arbitrary start: the closed time before the opening does not count.
    assert (
        calendar.business_minutes_between(moment, calendar.add_business_minutes(moment, amount))
        == amount
    )


@SETTINGS
@given(calendars, instants, st.integers(0, 10**9), st.integers(0, 10**9))
def test_between_inverts_add_seconds_at_microsecond_precision(calendar, moment, a, b):
    amount = a + b / 10**9  # fractional seconds; resolution is one microsecond
    end = calendar.add_business_seconds(moment, amount)
    measured = calendar.business_seconds_between(moment, end)
    assert round(measured * 1_000_000) == round(amount * 1_000_000)


@SETTINGS
@given(calendars, instants, minutes, minutes)
def test_monotonic_in_minutes(calendar, moment, first, second):
    low, high = sorted((first, second))
    assert utc(calendar.add_business_minutes(moment, low)) <= utc(
        calendar.add_business_minutes(moment, high)
    )


@SETTINGS
@given(calendars, instants, minutes)
def test_result_in_working_time_or_at_interval_end(calendar, moment, amount):
    result = calendar.add_business_minutes(moment, amount)
    assert result.tzinfo is calendar.tz
    at_interval_end = not calendar.is_working_time(result) and calendar.is_working_time(
        result - ONE_US
    )
    assert calendar.is_working_time(result) or (amount > 0 and at_interval_end)
    assert utc(result) >= utc(moment)


@SETTINGS
@given(calendars, instants, minutes, st.integers(1, 43_200))
def test_add_composes(calendar, moment, first, second):
    # Composition holds for a positive second leg (a zero leg would move an interval end
    # to the next opening, by design).
    step = calendar.add_business_minutes(moment, first)
    assert utc(calendar.add_business_minutes(step, second)) == utc(
        calendar.add_business_minutes(moment, first + second)
    )


@SETTINGS
@given(calendars, instants, instants, instants)
def test_between_is_additive(calendar, first, second, third):
    a, b, c = sorted((first, second, third), key=utc)
    assert exact_us(calendar.business_minutes_between(a, b)) + exact_us(
        calendar.business_minutes_between(b, c)
    ) == exact_us(calendar.business_minutes_between(a, c))
    assert calendar.business_minutes_between(c, a) == 0


@SETTINGS
@given(instants, minutes, instants)
def test_always_calendar_is_elapsed_time(moment, amount, other):
    result = ALWAYS_BERLIN.add_business_minutes(moment, amount)
    assert utc(result) == utc(moment) + timedelta(minutes=amount)
    assert ALWAYS_BERLIN.is_working_time(moment)
    a, b = sorted((moment, other), key=utc)
    assert exact_us(ALWAYS_BERLIN.business_minutes_between(a, b)) == (utc(b) - utc(a)) // ONE_US
