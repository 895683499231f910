"""SLA clocks with pauses, long targets and broken calendars (the shipped Standard agreement:
Mon–Fri 08:00–18:00 Berlin, German public holidays)."""

import logging
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from escalation.services.sweep import escalation_sweep
from sla.calendars import BusinessCalendar
from sla.models import Calendar, Clock, ClockKind, Target
from sla.policies import policy_for, public_holidays
from tests.sla.conftest import berlin
from tickets.services import ticket_change_priority, ticket_change_status, ticket_create

pytestmark = pytest.mark.django_db


def _clock(ticket, kind, tier=""):
    return Clock.objects.get(ticket=ticket, kind=kind, tier=tier)


def test_a_clock_overdue_when_it_pauses_is_breached_for_that_deadline(standard, at, alice, l1tech):
    at(berlin(2026, 3, 2, 10))
    ticket = ticket_create(requester=alice, subject="s", description="d", priority="P3")
    due = _clock(ticket, ClockKind.RESPONSE, "L1").due_at
    assert due == berlin(2026, 3, 2, 11)
    at(berlin(2026, 3, 2, 11, 10))  # overdue; the sweep has not run yet
    ticket_change_status(ticket=ticket, actor=l1tech, status="pending_customer")
    at(berlin(2026, 3, 2, 15))
    ticket_change_status(ticket=ticket, actor=l1tech, status="open")
    clock = _clock(ticket, ClockKind.RESPONSE, "L1")
    assert clock.due_at == due  # the pause did not push a deadline already gone
    escalation_sweep(queue=False)
    clock.refresh_from_db()
    assert clock.breached_at is not None
    # The resolution clock was not overdue: it paused, and got the pause added.
    resolution = _clock(ticket, ClockKind.RESOLUTION)
    assert resolution.paused_seconds > 0 and resolution.breached_at is None


def test_a_priority_change_during_a_pause_credits_no_pause_begun_after_the_new_deadline(
    standard, at, alice, l1tech
):
    at(berlin(2026, 3, 2, 10))
    ticket = ticket_create(requester=alice, subject="s", description="d", priority="P4")
    at(berlin(2026, 3, 2, 15))  # resolution P4: 3000 business minutes, far away
    ticket_change_status(ticket=ticket, actor=l1tech, status="pending_customer")
    at(berlin(2026, 3, 2, 16))
    # P1: 240 business minutes from 10:00 → due 14:00, an hour before the pause began.
    ticket_change_priority(ticket=ticket, actor=l1tech, priority="P1")
    at(berlin(2026, 3, 2, 17))
    ticket_change_status(ticket=ticket, actor=l1tech, status="open")
    clock = _clock(ticket, ClockKind.RESOLUTION)
    assert clock.due_at == berlin(2026, 3, 2, 14)
    escalation_sweep(queue=False)
    clock.refresh_from_db()
    assert clock.breached_at is not None


def test_a_pause_begun_before_the_new_deadline_still_counts(standard, at, alice, l1tech):
    at(berlin(2026, 3, 2, 10))
    ticket = ticket_create(requester=alice, subject="s", description="d", priority="P4")
    at(berlin(2026, 3, 2, 12))
    ticket_change_status(ticket=ticket, actor=l1tech, status="pending_customer")
    at(berlin(2026, 3, 2, 13))
    ticket_change_priority(ticket=ticket, actor=l1tech, priority="P1")  # due 14:00 unpaused
    at(berlin(2026, 3, 2, 15))
    ticket_change_status(ticket=ticket, actor=l1tech, status="open")
    # Paused 12:00–15:00 (3 h) while the deadline was still ahead: 14:00 + 3 h.
    assert _clock(ticket, ClockKind.RESOLUTION).due_at == berlin(2026, 3, 2, 17)


def test_holidays_are_known_as_far_as_the_longest_target_reaches(standard, at, alice):
    at(berlin(2026, 3, 2, 10))
    # Five years of working weeks (10 h a day): the deadline lands around 2031.
    minutes = 5 * 52 * 5 * 10 * 60
    Target.objects.filter(agreement=standard, kind=ClockKind.RESOLUTION).update(minutes=minutes)
    standard.save()  # a new updated_at: every process reloads the targets
    ticket = ticket_create(requester=alice, subject="s", description="d", priority="P3")
    due = _clock(ticket, ClockKind.RESOLUTION).due_at
    years = range(2024, due.year + 2)
    calendar = standard.calendar
    full = BusinessCalendar(
        calendar.time_zone,
        {int(day): [tuple(p) for p in pairs] for day, pairs in calendar.hours.items()},
        public_holidays(
            country=calendar.holiday_country,
            subdivision=calendar.holiday_subdivision,
            years=years,
        ),
    )
    assert due == full.add_business_seconds(berlin(2026, 3, 2, 10), minutes * 60)
    assert date(due.year - 1, 12, 25) in policy_for(standard).calendar.holidays


def test_a_calendar_saved_around_validation_does_not_stop_ticket_creation(
    standard, at, alice, caplog
):
    at(berlin(2026, 3, 2, 10))
    Calendar.objects.filter(pk=standard.calendar_id).update(
        hours={"0": [["22:00", "06:00"]]}, updated_at=timezone.now()
    )
    with caplog.at_level(logging.ERROR):
        ticket = ticket_create(requester=alice, subject="s", description="d", priority="P3")
    clock = _clock(ticket, ClockKind.RESPONSE, "L1")
    # Fail safe: the broken hours are ignored and time counts around the clock.
    assert clock.due_at == berlin(2026, 3, 2, 11)
    assert "cannot be used" in caplog.text


def test_every_save_of_a_calendar_validates_its_hours(standard):
    calendar = Calendar.objects.get(pk=standard.calendar_id)
    calendar.hours = {"0": [["22:00", "06:00"]]}
    with pytest.raises(ValidationError):
        calendar.save()
    calendar.refresh_from_db()
    assert calendar.hours != {"0": [["22:00", "06:00"]]}
