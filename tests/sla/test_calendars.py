"""Table tests for sla.calendars with hand-derived expectations.

Reference facts used in the derivations (2026 unless stated):
* Europe/Berlin: CET +01:00, CEST +02:00; DST starts Sun 29 Mar (02:00 -> 03:00) and ends
  Sun 25 Oct (03:00 -> 02:00).  Mar 6 and Mar 27 are Fridays.
* America/New_York: EST -05:00, EDT -04:00; DST starts Sun 8 Mar, ends Sun 1 Nov.
* Asia/Kolkata: +05:30 all year.  Pacific/Chatham: +12:45 (winter), +13:45 (summer);
  DST ends Sun 5 Apr 2026 and starts Sun 27 Sep 2026.
* DE-BE public holidays (holidays package): 2025-12-25 Thu, 2025-12-26 Fri,
  2026-04-03 Fri, 2026-04-06 Mon, 2026-05-01 Fri, 2026-05-14 Thu, ...
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays
import pytest

from sla.calendars import BusinessCalendar, CalendarError

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
CHATHAM = ZoneInfo("Pacific/Chatham")

NINE_TO_FIVE = [("09:00", "17:00")]
COMPANY_RETREAT = date(2026, 6, 15)  # a Monday, closed by company decision
DE_BE = holidays.country_holidays("DE", subdiv="BE", years=range(2025, 2029))

OFFICE = BusinessCalendar(
    tz="Europe/Berlin",
    hours=dict.fromkeys(range(5), NINE_TO_FIVE),
    holidays=set(DE_BE) | {COMPANY_RETREAT},
)
SPLIT_FRIDAY = BusinessCalendar(
    tz="Europe/Berlin",
    hours={
        0: NINE_TO_FIVE,
        1: NINE_TO_FIVE,
        2: NINE_TO_FIVE,
        3: NINE_TO_FIVE,
        4: [("09:00", "12:00"), ("13:00", "17:00")],
    },
)
BERLIN_DAILY = BusinessCalendar("Europe/Berlin", dict.fromkeys(range(7), NINE_TO_FIVE))
NEW_YORK_DAILY = BusinessCalendar("America/New_York", dict.fromkeys(range(7), NINE_TO_FIVE))
BERLIN_24X7 = BusinessCalendar.always("Europe/Berlin")
NEW_YORK_24X7 = BusinessCalendar.always("America/New_York")
CHATHAM_24X7 = BusinessCalendar.always("Pacific/Chatham")
NIGHT = BusinessCalendar("Europe/Berlin", {0: [("22:00", "24:00")], 1: [("00:00", "06:00")]})
EARLY_SUNDAY = BusinessCalendar("Europe/Berlin", {6: [("00:00", "06:00")]})
GAP_BOUNDARY = BusinessCalendar("Europe/Berlin", {6: [("02:30", "05:00")]})
KOLKATA_OFFICE = BusinessCalendar("Asia/Kolkata", dict.fromkeys(range(5), NINE_TO_FIVE))
CHATHAM_SPLIT = BusinessCalendar(
    "Pacific/Chatham", {day: [("09:00", "12:00"), ("13:00", "17:00")] for day in range(5)}
)


def at(zone: ZoneInfo | timezone, *args: int, fold: int = 0) -> datetime:
    """Aware datetime helper: at(BERLIN, 2026, 3, 6, 16, 30)."""
    return datetime(*args, tzinfo=zone, fold=fold)


def assert_same(actual: datetime, expected: datetime) -> None:
    """Same instant *and* same UTC offset (plain == ignores offsets within one zone)."""
    assert (actual.astimezone(UTC), actual.utcoffset()) == (
        expected.astimezone(UTC),
        expected.utcoffset(),
    ), f"{actual} != {expected}"


ADD_CASES = [
    # Friday 18:00 is after hours -> Monday 09:00 opening, + 30 min = 09:30.
    ("friday_after_hours", OFFICE, at(BERLIN, 2026, 3, 6, 18), 30, at(BERLIN, 2026, 3, 9, 9, 30)),
    # Fri 16:30-17:00 uses 30 min, remaining 30 from Mon 09:00 -> 09:30.
    (
        "friday_1630_plus_60",
        OFFICE,
        at(BERLIN, 2026, 3, 6, 16, 30),
        60,
        at(BERLIN, 2026, 3, 9, 9, 30),
    ),
    # Wed 24 Dec 16:00-17:00 = 60; Thu 25 + Fri 26 are DE holidays, then the weekend;
    # remaining 60 from Mon 29 Dec 09:00 -> 10:00.
    ("christmas_skipped", OFFICE, at(BERLIN, 2025, 12, 24, 16), 120, at(BERLIN, 2025, 12, 29, 10)),
    # Fri 12 Jun 16:00-17:00 = 60; Mon 15 Jun is the custom closed date -> Tue 16 10:00.
    ("custom_closed_date", OFFICE, at(BERLIN, 2026, 6, 12, 16), 120, at(BERLIN, 2026, 6, 16, 10)),
    # Inside working time: 10:00 + 60 = 11:00.
    ("start_inside", OFFICE, at(BERLIN, 2026, 3, 9, 10), 60, at(BERLIN, 2026, 3, 9, 11)),
    # Before opening: count from 09:00 -> 10:00.
    ("start_before_opening", OFFICE, at(BERLIN, 2026, 3, 9, 7), 60, at(BERLIN, 2026, 3, 9, 10)),
    # Saturday: count from Monday 09:00 -> 10:00.
    ("start_saturday", OFFICE, at(BERLIN, 2026, 3, 7, 12), 60, at(BERLIN, 2026, 3, 9, 10)),
    # 09:00 + 480 = exactly the 17:00 end: returns 17:00, not Tuesday 09:00.
    ("exact_day_end", OFFICE, at(BERLIN, 2026, 3, 9, 9), 480, at(BERLIN, 2026, 3, 9, 17)),
    ("exact_friday_end", OFFICE, at(BERLIN, 2026, 3, 6, 16), 60, at(BERLIN, 2026, 3, 6, 17)),
    # Zero minutes returns next_opening(start): itself inside, else the next opening.
    ("zero_inside", OFFICE, at(BERLIN, 2026, 3, 9, 10), 0, at(BERLIN, 2026, 3, 9, 10)),
    ("zero_weekend", OFFICE, at(BERLIN, 2026, 3, 7, 12), 0, at(BERLIN, 2026, 3, 9, 9)),
    # 17:00 itself is outside (ends are exclusive) -> Tuesday 09:00.
    ("zero_at_close", OFFICE, at(BERLIN, 2026, 3, 9, 17), 0, at(BERLIN, 2026, 3, 10, 9)),
    # 43,200 min / 480 = 90 working days from Mon 5 Jan: 18 weeks reach Fri 8 May
    # (90 days) minus 3 holidays (3 Apr, 6 Apr, 1 May) = 87; Mon 11, Tue 12, Wed 13 May
    # complete the 90th day exactly at its 17:00 end (CEST).
    ("thirty_days_office", OFFICE, at(BERLIN, 2026, 1, 5, 9), 43_200, at(BERLIN, 2026, 5, 13, 17)),
    # Fri 27 Mar 16:00 CET + 60 -> 17:00; Mon 30 Mar (now CEST) 09:00 + 60 = 10:00 +02:00.
    (
        "office_across_spring_forward",
        OFFICE,
        at(BERLIN, 2026, 3, 27, 16),
        120,
        at(BERLIN, 2026, 3, 30, 10),
    ),
    # Split Friday: 11:30-12:00 = 30, lunch, 13:00 + 30 = 13:30.
    (
        "split_shift_lunch",
        SPLIT_FRIDAY,
        at(BERLIN, 2026, 3, 6, 11, 30),
        60,
        at(BERLIN, 2026, 3, 6, 13, 30),
    ),
    # 11:00 + 60 lands exactly on the 12:00 end of the morning stretch: stays 12:00.
    (
        "split_shift_exact_end",
        SPLIT_FRIDAY,
        at(BERLIN, 2026, 3, 6, 11),
        60,
        at(BERLIN, 2026, 3, 6, 12),
    ),
    # Night shift Mon 22:00-24:00 + Tue 00:00-06:00 is one stretch: 23:00 + 120 = Tue 01:00.
    ("night_across_midnight", NIGHT, at(BERLIN, 2026, 3, 2, 23), 120, at(BERLIN, 2026, 3, 3, 1)),
    # From 21:00 (closed) the whole 8 h shift is 480 min: exact end Tue 06:00.
    ("night_whole_shift", NIGHT, at(BERLIN, 2026, 3, 2, 21), 480, at(BERLIN, 2026, 3, 3, 6)),
    # Tue 05:00-06:00 = 60; next stretch Mon 9 Mar 22:00 + 60 = 23:00.
    ("night_next_week", NIGHT, at(BERLIN, 2026, 3, 3, 5), 120, at(BERLIN, 2026, 3, 9, 23)),
    # Business day on the spring-forward Sunday still has 8 h: Sat 16:00 + 60 = 17:00,
    # Sun 09:00 CEST + 60 = 10:00 +02:00.
    (
        "berlin_daily_spring_forward",
        BERLIN_DAILY,
        at(BERLIN, 2026, 3, 28, 16),
        120,
        at(BERLIN, 2026, 3, 29, 10),
    ),
    # Fall-back Sunday: Sun 09:00 CET + 480 = 17:00 CET (8 h, not 9).
    (
        "berlin_daily_fall_back",
        BERLIN_DAILY,
        at(BERLIN, 2026, 10, 25, 9),
        480,
        at(BERLIN, 2026, 10, 25, 17),
    ),
    (
        "new_york_daily_spring_forward",
        NEW_YORK_DAILY,
        at(NEW_YORK, 2026, 3, 8, 9),
        480,
        at(NEW_YORK, 2026, 3, 8, 17),
    ),
    (
        "new_york_daily_fall_back",
        NEW_YORK_DAILY,
        at(NEW_YORK, 2026, 11, 1, 9),
        480,
        at(NEW_YORK, 2026, 11, 1, 17),
    ),
    # 24x7 counts real time: Sunday 29 Mar has 23 h, so 24 h after 00:00 is Mon 01:00 CEST
    # (23:00 UTC Sat + 24 h = 23:00 UTC Sun = 01:00 +02:00).
    (
        "berlin_24x7_spring_forward",
        BERLIN_24X7,
        at(BERLIN, 2026, 3, 29),
        1440,
        at(BERLIN, 2026, 3, 30, 1),
    ),
    # Sunday 25 Oct has 25 h: 22:00 UTC Sat + 24 h = 22:00 UTC Sun = 23:00 CET.
    (
        "berlin_24x7_fall_back",
        BERLIN_24X7,
        at(BERLIN, 2026, 10, 25),
        1440,
        at(BERLIN, 2026, 10, 25, 23),
    ),
    # Sat 12:00 EDT = 16:00 UTC; + 24 h = Sun 16:00 UTC = 11:00 EST.
    (
        "new_york_24x7_fall_back",
        NEW_YORK_24X7,
        at(NEW_YORK, 2026, 10, 31, 12),
        1440,
        at(NEW_YORK, 2026, 11, 1, 11),
    ),
    # Sat 7 Mar 12:00 EST = 17:00 UTC; + 24 h = Sun 17:00 UTC = 13:00 EDT.
    (
        "new_york_24x7_spring_forward",
        NEW_YORK_24X7,
        at(NEW_YORK, 2026, 3, 7, 12),
        1440,
        at(NEW_YORK, 2026, 3, 8, 13),
    ),
    # 30 days of real time from 1 Mar 00:00 CET (= 28 Feb 23:00 UTC) -> 30 Mar 23:00 UTC
    # = 31 Mar 01:00 CEST.
    ("thirty_days_24x7", BERLIN_24X7, at(BERLIN, 2026, 3, 1), 43_200, at(BERLIN, 2026, 3, 31, 1)),
    # Kolkata, input in UTC: Mon 11:00 UTC = 16:30 IST; 30 min to 17:00, then Tue 09:00
    # + 30 = 09:30 IST (= 04:00 UTC).
    (
        "kolkata_utc_input",
        KOLKATA_OFFICE,
        at(UTC, 2026, 3, 2, 11),
        60,
        at(KOLKATA, 2026, 3, 3, 9, 30),
    ),
    # 02:00 UTC = 07:30 IST, before opening: 09:00 IST + 60 = 10:00 IST.
    (
        "kolkata_before_opening",
        KOLKATA_OFFICE,
        at(UTC, 2026, 3, 2, 2),
        60,
        at(KOLKATA, 2026, 3, 2, 10),
    ),
    # Chatham winter (+12:45): Sun 5 Jul 20:15 UTC = Mon 6 Jul 09:00; 180 min to 12:00,
    # lunch, 13:00 + 20 = 13:20 +12:45.
    (
        "chatham_winter_split",
        CHATHAM_SPLIT,
        at(UTC, 2026, 7, 5, 20, 15),
        200,
        at(CHATHAM, 2026, 7, 6, 13, 20),
    ),
    # Chatham summer (+13:45): Mon 5 Jan 03:00 UTC = 16:45; 15 min to 17:00, Tue 09:00 + 15.
    (
        "chatham_summer_overnight",
        CHATHAM_SPLIT,
        at(UTC, 2026, 1, 5, 3),
        30,
        at(CHATHAM, 2026, 1, 6, 9, 15),
    ),
]


@pytest.mark.parametrize(
    ("calendar", "start", "minutes", "expected"),
    [case[1:] for case in ADD_CASES],
    ids=[case[0] for case in ADD_CASES],
)
def test_add_business_minutes(calendar, start, minutes, expected):
    result = calendar.add_business_minutes(start, minutes)
    assert_same(result, expected)
    assert result.tzinfo is calendar.tz
    assert calendar.business_minutes_between(start, result) == minutes


BETWEEN_CASES = [
    # Fri 16:00-17:00 = 60, weekend 0, Mon 09:00-10:00 = 60.
    ("weekend", OFFICE, at(BERLIN, 2026, 3, 6, 16), at(BERLIN, 2026, 3, 9, 10), 120),
    # Wed 24 Dec 12:00-17:00 = 300; 25/26 Dec holidays; Mon 29 Dec 09:00-12:00 = 180.
    ("christmas", OFFICE, at(BERLIN, 2025, 12, 24, 12), at(BERLIN, 2025, 12, 29, 12), 480),
    # Whole week of 9 Mar = 5 x 480.
    ("whole_week", OFFICE, at(BERLIN, 2026, 3, 9), at(BERLIN, 2026, 3, 16), 2400),
    ("end_before_start", OFFICE, at(BERLIN, 2026, 3, 9, 12), at(BERLIN, 2026, 3, 9, 10), 0),
    ("empty_span", OFFICE, at(BERLIN, 2026, 3, 9, 12), at(BERLIN, 2026, 3, 9, 12), 0),
    ("half_minute", OFFICE, at(BERLIN, 2026, 3, 9, 9), at(BERLIN, 2026, 3, 9, 9, 0, 30), 0.5),
    # Mixed zones: 08:00 UTC = 09:00 CET; 12:30 IST = 07:00 UTC = 08:00 CET... so use 15:30
    # IST = 10:00 UTC = 11:00 CET -> 09:00-11:00 = 120.
    ("mixed_zones", OFFICE, at(UTC, 2026, 3, 9, 8), at(KOLKATA, 2026, 3, 9, 15, 30), 120),
    ("night_shift", NIGHT, at(BERLIN, 2026, 3, 2, 22), at(BERLIN, 2026, 3, 3, 6), 480),
    # Business days keep 8 h on DST change days, in both zones.
    ("berlin_spring_day", BERLIN_DAILY, at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30), 480),
    ("berlin_fall_day", BERLIN_DAILY, at(BERLIN, 2026, 10, 25), at(BERLIN, 2026, 10, 26), 480),
    ("ny_spring_day", NEW_YORK_DAILY, at(NEW_YORK, 2026, 3, 8), at(NEW_YORK, 2026, 3, 9), 480),
    ("ny_fall_day", NEW_YORK_DAILY, at(NEW_YORK, 2026, 11, 1), at(NEW_YORK, 2026, 11, 2), 480),
    # 24x7 days are 23 h / 25 h long on DST change days.
    ("berlin_24x7_spring", BERLIN_24X7, at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30), 1380),
    ("berlin_24x7_fall", BERLIN_24X7, at(BERLIN, 2026, 10, 25), at(BERLIN, 2026, 10, 26), 1500),
    ("ny_24x7_spring", NEW_YORK_24X7, at(NEW_YORK, 2026, 3, 8), at(NEW_YORK, 2026, 3, 9), 1380),
    ("ny_24x7_fall", NEW_YORK_24X7, at(NEW_YORK, 2026, 11, 1), at(NEW_YORK, 2026, 11, 2), 1500),
    ("chatham_24x7_dst_end", CHATHAM_24X7, at(CHATHAM, 2026, 4, 5), at(CHATHAM, 2026, 4, 6), 1500),
    (
        "chatham_24x7_dst_start",
        CHATHAM_24X7,
        at(CHATHAM, 2026, 9, 27),
        at(CHATHAM, 2026, 9, 28),
        1380,
    ),
    # A shift containing the transition is wall-clock 00:00-06:00 = 5 h / 7 h real time.
    ("early_sunday_spring", EARLY_SUNDAY, at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30), 300),
    ("early_sunday_fall", EARLY_SUNDAY, at(BERLIN, 2026, 10, 25), at(BERLIN, 2026, 10, 26), 420),
    # Start 02:30 does not exist on 29 Mar -> 03:00 CEST (instant after the gap): 120 min.
    ("gap_boundary", GAP_BOUNDARY, at(BERLIN, 2026, 3, 29), at(BERLIN, 2026, 3, 30), 120),
    # 02:30 occurs twice on 25 Oct -> first occurrence (CEST, fold=0) to 05:00 CET = 210.
    ("fold_boundary", GAP_BOUNDARY, at(BERLIN, 2026, 10, 25), at(BERLIN, 2026, 10, 26), 210),
]


@pytest.mark.parametrize(
    ("calendar", "start", "end", "expected"),
    [case[1:] for case in BETWEEN_CASES],
    ids=[case[0] for case in BETWEEN_CASES],
)
def test_business_minutes_between(calendar, start, end, expected):
    assert calendar.business_minutes_between(start, end) == expected
    assert calendar.business_seconds_between(start, end) == expected * 60


def test_dst_gap_and_fold_boundaries():
    # 02:30 on 29 Mar is in the gap: opening is the first instant after it, 03:00 CEST.
    assert_same(GAP_BOUNDARY.next_opening(at(BERLIN, 2026, 3, 29)), at(BERLIN, 2026, 3, 29, 3))
    # 02:30 on 25 Oct exists twice: the first occurrence (CEST, fold=0) opens.
    opening = GAP_BOUNDARY.next_opening(at(BERLIN, 2026, 10, 25))
    assert_same(opening, at(BERLIN, 2026, 10, 25, 2, 30, fold=0))
    assert opening.utcoffset() == timedelta(hours=2)
    # ... so the second 02:15 (CET) is working time, the first (CEST) is not.
    assert not GAP_BOUNDARY.is_working_time(at(BERLIN, 2026, 10, 25, 2, 15, fold=0))
    assert GAP_BOUNDARY.is_working_time(at(BERLIN, 2026, 10, 25, 2, 15, fold=1))


def test_is_working_time_boundaries():
    assert OFFICE.is_working_time(at(BERLIN, 2026, 3, 9, 9))
    assert OFFICE.is_working_time(at(BERLIN, 2026, 3, 9, 16, 59, 59, 999_999))
    assert not OFFICE.is_working_time(at(BERLIN, 2026, 3, 9, 17))
    assert not OFFICE.is_working_time(at(BERLIN, 2026, 3, 9, 8, 59, 59))
    assert not OFFICE.is_working_time(at(BERLIN, 2025, 12, 25, 12))  # Christmas Day
    assert not OFFICE.is_working_time(at(BERLIN, 2026, 6, 15, 12))  # custom closed date
    # Night shift: midnight between Monday and Tuesday is inside the stretch.
    assert NIGHT.is_working_time(at(BERLIN, 2026, 3, 3))
    assert_same(NIGHT.next_opening(at(BERLIN, 2026, 3, 3)), at(BERLIN, 2026, 3, 3))


def test_next_opening():
    assert_same(OFFICE.next_opening(at(BERLIN, 2026, 3, 6, 18)), at(BERLIN, 2026, 3, 9, 9))
    assert_same(OFFICE.next_opening(at(BERLIN, 2026, 3, 9, 10)), at(BERLIN, 2026, 3, 9, 10))
    # Input in UTC, result in the calendar zone: 22 Dec 2025 was a Monday... 24 Dec 17:00
    # CET -> Thu/Fri holidays, weekend -> Mon 29 Dec 09:00 CET.
    opening = OFFICE.next_opening(at(UTC, 2025, 12, 24, 16))
    assert_same(opening, at(BERLIN, 2025, 12, 29, 9))
    assert opening.tzinfo is BERLIN


def test_add_business_seconds_and_fractions():
    start = at(BERLIN, 2026, 3, 9, 16, 59, 30)
    # 30 s left on Monday, 30 s on Tuesday.
    assert_same(OFFICE.add_business_seconds(start, 60), at(BERLIN, 2026, 3, 10, 9, 0, 30))
    assert_same(OFFICE.add_business_minutes(start, 1.5), at(BERLIN, 2026, 3, 10, 9, 1))
    assert_same(
        OFFICE.add_business_seconds(start, 0.000_001), at(BERLIN, 2026, 3, 9, 16, 59, 30, 1)
    )


def test_weekly_minutes():
    assert OFFICE.weekly_minutes == 2400
    assert SPLIT_FRIDAY.weekly_minutes == 4 * 480 + 420
    assert BERLIN_24X7.weekly_minutes == 7 * 24 * 60
    assert NIGHT.weekly_minutes == 480


def test_overlapping_intervals_are_merged():
    calendar = BusinessCalendar(
        "UTC", {0: [("12:00", "17:00"), ("09:00", "13:00"), ("17:00", "18:00")]}
    )
    assert calendar.hours == {0: (("09:00", "18:00"),)}
    assert calendar.weekly_minutes == 540


def test_time_objects_and_24_00_accepted():
    calendar = BusinessCalendar("UTC", {2: [(time(22, 0), "24:00")], 3: [(time(0), time(6))]})
    assert calendar.hours == {2: (("22:00", "24:00"),), 3: (("00:00", "06:00"),)}
    # Wed 4 Mar 2026 23:00 UTC + 60 = Thu 00:00 (inside the continuous stretch).
    assert_same(
        calendar.add_business_minutes(at(UTC, 2026, 3, 4, 23), 60), at(ZoneInfo("UTC"), 2026, 3, 5)
    )


def test_holidays_accept_datetimes_and_package_objects():
    calendar = BusinessCalendar(
        "Europe/Berlin", {0: NINE_TO_FIVE}, holidays=[datetime(2026, 3, 9, 12)]
    )
    assert calendar.holidays == frozenset({date(2026, 3, 9)})
    assert date(2025, 12, 25) in OFFICE.holidays


@pytest.mark.parametrize(
    "hours",
    [
        pytest.param({}, id="empty"),
        pytest.param({day: [] for day in range(7)}, id="all_days_empty"),
        pytest.param({0: [("9am", "17:00")]}, id="bad_string"),
        pytest.param({0: [("25:00", "26:00")]}, id="hour_out_of_range"),
        pytest.param({0: [("09:60", "17:00")]}, id="minute_out_of_range"),
        pytest.param({0: [("09:00", "24:30")]}, id="past_24"),
        pytest.param({0: [("17:00", "09:00")]}, id="start_after_end"),
        pytest.param({0: [("09:00", "09:00")]}, id="start_equals_end"),
        pytest.param({7: NINE_TO_FIVE}, id="weekday_7"),
        pytest.param({-1: NINE_TO_FIVE}, id="weekday_negative"),
        pytest.param({"0": NINE_TO_FIVE}, id="weekday_string"),
        pytest.param({0: "09:00-17:00"}, id="intervals_as_string"),
        pytest.param({0: [("09:00",)]}, id="not_a_pair"),
        pytest.param({0: [(9, 17)]}, id="ints_not_times"),
        pytest.param([("09:00", "17:00")], id="not_a_mapping"),
    ],
)
def test_invalid_calendars_rejected(hours):
    with pytest.raises(CalendarError):
        BusinessCalendar("Europe/Berlin", hours)


def test_invalid_zone_and_holidays_rejected():
    with pytest.raises(CalendarError):
        BusinessCalendar("Mars/Olympus_Mons", {0: NINE_TO_FIVE})
    with pytest.raises(CalendarError):
        BusinessCalendar("Europe/Berlin", {0: NINE_TO_FIVE}, holidays=["2026-12-25"])
    assert issubclass(CalendarError, ValueError)


def test_naive_and_non_datetime_inputs_rejected():
    naive = datetime(2026, 3, 9, 10)
    aware = at(BERLIN, 2026, 3, 9, 10)
    calls = [
        lambda: OFFICE.add_business_minutes(naive, 10),
        lambda: OFFICE.add_business_seconds(naive, 10),
        lambda: OFFICE.business_minutes_between(naive, aware),
        lambda: OFFICE.business_seconds_between(aware, naive),
        lambda: OFFICE.is_working_time(naive),
        lambda: OFFICE.next_opening(naive),
        lambda: OFFICE.add_business_minutes(date(2026, 3, 9), 10),
    ]
    for call in calls:
        with pytest.raises(CalendarError):
            call()


@pytest.mark.parametrize("amount", [-1, -0.5, float("nan"), float("inf"), "10", True])
def test_invalid_amounts_rejected(amount):
    with pytest.raises(CalendarError):
        OFFICE.add_business_minutes(at(BERLIN, 2026, 3, 9, 10), amount)


def test_no_working_time_for_years_raises_instead_of_looping():
    # Only Mondays work, and every Monday from 2026 to 2032 is closed.
    first_monday = date(2026, 1, 5)
    closed = {first_monday + timedelta(weeks=n) for n in range(7 * 53)}
    calendar = BusinessCalendar("Europe/Berlin", {0: NINE_TO_FIVE}, holidays=closed)
    start = at(BERLIN, 2026, 1, 1)
    with pytest.raises(CalendarError):
        calendar.add_business_minutes(start, 1)
    with pytest.raises(CalendarError):
        calendar.next_opening(start)
    # Measuring a span is still fine (it is simply zero).
    assert calendar.business_minutes_between(start, at(BERLIN, 2027, 1, 1)) == 0


def test_long_closure_shorter_than_limit_is_skipped():
    # Two closed years of Mondays: the first open Monday is 4 Jan 2027 + 104 weeks.
    first_monday = date(2026, 1, 5)
    closed = {first_monday + timedelta(weeks=n) for n in range(104)}
    calendar = BusinessCalendar("Europe/Berlin", {0: NINE_TO_FIVE}, holidays=closed)
    expected_day = first_monday + timedelta(weeks=104)  # Mon 3 Jan 2028
    result = calendar.add_business_minutes(at(BERLIN, 2026, 1, 1), 60)
    assert_same(result, at(BERLIN, expected_day.year, expected_day.month, expected_day.day, 10))


def test_far_past_and_future_starts():
    # Extending the cache backwards and forwards keeps results consistent.
    calendar = BusinessCalendar("Europe/Berlin", dict.fromkeys(range(5), NINE_TO_FIVE))
    assert_same(
        calendar.add_business_minutes(at(BERLIN, 2026, 3, 6, 16, 30), 60),
        at(BERLIN, 2026, 3, 9, 9, 30),
    )
    # Fri 4 Mar 2011 16:30 + 60 -> Mon 7 Mar 2011 09:30 CET.
    assert_same(
        calendar.add_business_minutes(at(BERLIN, 2011, 3, 4, 16, 30), 60),
        at(BERLIN, 2011, 3, 7, 9, 30),
    )
    # Fri 5 Mar 2055 16:30 + 60 -> Mon 8 Mar 2055 09:30 CET.
    assert_same(
        calendar.add_business_minutes(at(BERLIN, 2055, 3, 5, 16, 30), 60),
        at(BERLIN, 2055, 3, 8, 9, 30),
    )
    # 2011-03-07 .. 2011-03-14 is one week of 5 x 480 minutes.
    assert (
        calendar.business_minutes_between(at(BERLIN, 2011, 3, 7), at(BERLIN, 2011, 3, 14)) == 2400
    )


def test_huge_targets_are_exact():
    # Ten million minutes (~80 years) exercise the lazily grown interval cache; the cost
    # per call is two binary searches, not a walk over minutes, days or weeks.
    calendar = BusinessCalendar("Europe/Berlin", dict.fromkeys(range(5), NINE_TO_FIVE))
    start = at(BERLIN, 2026, 3, 9, 9)  # a Monday opening, no holidays in this calendar
    far = calendar.add_business_minutes(start, 10_000_000)
    # 10,000,000 = 4166 weeks x 2400 + 1600; 1600 = Mon-Wed (3 x 480) + 160 min on
    # Thursday -> Thursday 11:40, 4166 weeks and 3 days after the start date (wall clock).
    day = date(2026, 3, 9) + timedelta(weeks=4166, days=3)
    assert_same(far, at(BERLIN, day.year, day.month, day.day, 11, 40))
    assert calendar.business_minutes_between(start, far) == 10_000_000


def test_benchmark_function_runs():
    from bench.calendar import calendar_throughput

    figures = calendar_throughput(calls=2_000, seed=3)
    assert figures["calls"] == 2_000
    assert figures["add_per_second"] > 0
    assert figures["between_per_second"] > 0
