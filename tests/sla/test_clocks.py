"""The clock engine on real tickets: start, VIP, response met, tiers, pause, priority, reopen."""

from datetime import UTC, datetime

import pytest

from accounts.models import Tier
from sla.models import Clock, ClockKind, ClockPause
from sla.selectors import SlaStatus, ticket_sla_status
from sla.services.marking import clock_mark_breached
from tickets.models import EventKind, Priority, Status, TicketEvent
from tickets.services import (
    ticket_acknowledge,
    ticket_change_priority,
    ticket_change_status,
    ticket_create,
    ticket_move_tier,
    ticket_reply,
)

from .conftest import berlin

pytestmark = pytest.mark.django_db


def new_ticket(requester, **kwargs):
    kwargs.setdefault("subject", "VPN down")
    kwargs.setdefault("description", "Since this morning.")
    return ticket_create(requester=requester, **kwargs)


def response(ticket, tier=None, cycle=1):
    return Clock.objects.get(
        ticket=ticket, kind=ClockKind.RESPONSE, tier=tier or ticket.tier, cycle=cycle
    )


def resolution(ticket, cycle=1):
    return Clock.objects.get(ticket=ticket, kind=ClockKind.RESOLUTION, cycle=cycle)


def kinds(ticket, *wanted):
    rows = TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True)
    return [k for k in rows if not wanted or k in wanted]


def test_create_inside_hours_starts_both_clocks(alice, standard, at):
    at(berlin(2026, 3, 2, 10, 0))  # Monday
    ticket = new_ticket(alice)
    first, whole = response(ticket), resolution(ticket)
    assert (first.tier, first.target_minutes, first.agreement) == (Tier.L1, 60, standard)
    assert first.started_at == berlin(2026, 3, 2, 10, 0)
    assert first.due_at == berlin(2026, 3, 2, 11, 0)
    assert first.warn_at == berlin(2026, 3, 2, 10, 48)  # 80 % of 60 minutes
    assert whole.target_minutes == 1800  # P3: three 10-hour business days
    assert whole.due_at == berlin(2026, 3, 5, 10, 0)
    assert whole.warn_at == berlin(2026, 3, 4, 14, 0)
    ticket.refresh_from_db()
    assert ticket.response_due_at == first.due_at
    assert ticket.response_warn_at == first.warn_at
    assert ticket.resolution_due_at == whole.due_at
    assert ticket.resolution_warn_at == whole.warn_at
    assert kinds(ticket, EventKind.CLOCK_STARTED) == [EventKind.CLOCK_STARTED] * 2
    assert ticket_sla_status(ticket) == SlaStatus.OK


def test_create_after_hours_counts_from_next_opening(alice, standard, at):
    at(berlin(2026, 3, 6, 19, 0))  # Friday evening
    ticket = new_ticket(alice)
    assert response(ticket).started_at == berlin(2026, 3, 6, 19, 0)
    assert response(ticket).due_at == berlin(2026, 3, 9, 9, 0)  # Monday 08:00 + 60 min


def test_public_holidays_from_the_holidays_package_are_skipped(alice, standard, at):
    at(berlin(2026, 12, 24, 17, 30))  # Thursday; Friday 25th is a German holiday
    ticket = new_ticket(alice)
    assert response(ticket).due_at == berlin(2026, 12, 28, 8, 30)


def test_vip_requester_gets_vip_targets(victor, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(victor)
    assert ticket.is_vip and ticket.tier == Tier.L1
    assert response(ticket).target_minutes == 30
    assert response(ticket).due_at == berlin(2026, 3, 2, 10, 30)
    assert resolution(ticket).target_minutes == 900


def test_vip_routing_sends_vip_tickets_straight_to_l2(victor, alice, standard, at):
    standard.vip_route_to_l2 = True
    standard.save()
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(victor)
    assert ticket.tier == Tier.L2
    ticket.refresh_from_db()
    assert ticket.tier == Tier.L2
    # Routed before it was filed: created at L2, no tier move in its history.
    created = TicketEvent.objects.get(ticket=ticket, kind=EventKind.CREATED)
    assert (created.after["tier"], created.after["routing"]) == ("L2", "VIP routing")
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.TIER).exists()
    assert not Clock.objects.filter(ticket=ticket, tier=Tier.L1).exists()
    assert response(ticket).target_minutes == 60  # VIP L2 P3
    assert ticket.response_due_at == berlin(2026, 3, 2, 11, 0)
    assert new_ticket(alice).tier == Tier.L1  # non-VIP stays in L1


def test_acknowledge_meets_the_response_clock(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(alice)
    at(berlin(2026, 3, 2, 10, 20))
    ticket_acknowledge(ticket=ticket, actor=l1tech, message="Looking into it.")
    clock = response(ticket)
    assert clock.met_at == berlin(2026, 3, 2, 10, 20)
    assert clock.breached_at is None and clock.stopped_at is None
    ticket.refresh_from_db()
    assert ticket.response_due_at is None and ticket.response_warn_at is None
    assert ticket.resolution_due_at == resolution(ticket).due_at
    met = TicketEvent.objects.get(ticket=ticket, kind=EventKind.CLOCK_MET)
    assert met.after["late"] is False and met.actor is None


def test_only_a_public_staff_reply_meets_the_response(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(alice)
    at(berlin(2026, 3, 2, 10, 5))
    ticket_reply(ticket=ticket, author=l1tech, body="Checking logs", internal=True)
    ticket_reply(ticket=ticket, author=alice, body="Any news?")
    assert response(ticket).met_at is None
    at(berlin(2026, 3, 2, 10, 30))
    ticket_reply(ticket=ticket, author=l1tech, body="On it")
    assert response(ticket).met_at == berlin(2026, 3, 2, 10, 30)
    assert resolution(ticket).met_at is None


def test_late_response_is_breached_not_met(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(alice)
    at(berlin(2026, 3, 2, 11, 30))  # due 11:00, the sweep has not run
    ticket_reply(ticket=ticket, author=l1tech, body="Sorry for the wait")
    clock = response(ticket)
    assert clock.met_at is None
    assert clock.breached_at == berlin(2026, 3, 2, 11, 0)
    assert clock.stopped_at == berlin(2026, 3, 2, 11, 30)
    assert TicketEvent.objects.get(ticket=ticket, kind=EventKind.CLOCK_MET).after["late"]


def test_breached_clock_stays_breached_when_answered(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(alice)
    at(berlin(2026, 3, 2, 11, 5))
    assert clock_mark_breached(clock_id=response(ticket).pk) is not None
    ticket.refresh_from_db()
    assert ticket.sla_breached and ticket_sla_status(ticket) == SlaStatus.BREACHED
    at(berlin(2026, 3, 2, 11, 10))
    ticket_acknowledge(ticket=ticket, actor=l1tech, message="Looking into it.")
    clock = response(ticket)
    assert clock.breached_at == berlin(2026, 3, 2, 11, 5) and clock.met_at is None
    assert clock.stopped_at == berlin(2026, 3, 2, 11, 10)
    ticket.refresh_from_db()
    assert not ticket.sla_breached  # nothing breached is still owed


def test_tier_change_stops_old_and_starts_new_response_clock(alice, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(alice)
    at(berlin(2026, 3, 2, 10, 40))
    ticket = ticket_move_tier(ticket=ticket, actor=None, tier=Tier.L2, reason="L1 breach")
    old = response(ticket, tier=Tier.L1)
    assert old.stopped_at == berlin(2026, 3, 2, 10, 40) and old.met_at is None
    new = response(ticket, tier=Tier.L2)
    assert (new.cycle, new.target_minutes) == (1, 120)
    assert new.started_at == berlin(2026, 3, 2, 10, 40)
    assert new.due_at == berlin(2026, 3, 2, 12, 40)
    ticket.refresh_from_db()
    assert ticket.response_due_at == new.due_at
    at(berlin(2026, 3, 2, 11, 0))
    ticket = ticket_move_tier(ticket=ticket, actor=None, tier=Tier.L1, reason="back")
    again = response(ticket, tier=Tier.L1, cycle=2)
    assert again.due_at == berlin(2026, 3, 2, 12, 0)
    assert response(ticket, tier=Tier.L2).stopped_at == berlin(2026, 3, 2, 11, 0)


def test_pause_and_resume_shift_deadlines_by_paused_business_time(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(alice)
    at(berlin(2026, 3, 2, 10, 30))
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
    ticket.refresh_from_db()
    assert ticket.sla_paused and ticket_sla_status(ticket) == SlaStatus.PAUSED
    assert response(ticket).paused_at == berlin(2026, 3, 2, 10, 30)
    assert ClockPause.objects.filter(ended_at__isnull=True).count() == 2
    at(berlin(2026, 3, 2, 14, 0))
    ticket_reply(ticket=ticket, author=alice, body="Here is the log")  # reopens: pending → open
    first, whole = response(ticket), resolution(ticket)
    assert first.paused_at is None and first.paused_seconds == 3.5 * 3600
    assert first.due_at == berlin(2026, 3, 2, 14, 30)  # 11:00 + 3 h 30 paused
    assert first.warn_at == berlin(2026, 3, 2, 14, 18)
    assert whole.due_at == berlin(2026, 3, 5, 13, 30)
    pause = ClockPause.objects.get(clock=first)
    assert (pause.ended_at, pause.business_seconds) == (berlin(2026, 3, 2, 14, 0), 12600)
    ticket.refresh_from_db()
    assert not ticket.sla_paused and ticket.response_due_at == first.due_at
    assert kinds(ticket, EventKind.CLOCK_PAUSED, EventKind.CLOCK_RESUMED) == [
        EventKind.CLOCK_PAUSED,
        EventKind.CLOCK_PAUSED,
        EventKind.CLOCK_RESUMED,
        EventKind.CLOCK_RESUMED,
    ]


def test_pause_overnight_counts_only_business_time(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 16, 0))
    ticket = new_ticket(alice, priority=Priority.P4)  # L1 P4: 240 min → Tue 10:00
    assert response(ticket).due_at == berlin(2026, 3, 3, 10, 0)
    at(berlin(2026, 3, 2, 17, 0))
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
    at(berlin(2026, 3, 3, 9, 0))
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.OPEN)
    clock = response(ticket)
    assert clock.paused_seconds == 2 * 3600  # 17–18 Monday, 08–09 Tuesday
    assert clock.due_at == berlin(2026, 3, 3, 12, 0)


def test_on_hold_pauses_only_when_the_agreement_says_so(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(alice)
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.ON_HOLD)
    assert response(ticket).paused_at is None
    standard.pause_on_hold = True
    standard.save()
    other = new_ticket(alice)
    ticket_change_status(ticket=other, actor=l1tech, status=Status.ON_HOLD)
    assert response(other).paused_at == berlin(2026, 3, 2, 10, 0)


def test_priority_change_recomputes_from_start_minus_pauses(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(alice)
    at(berlin(2026, 3, 2, 10, 5))
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
    at(berlin(2026, 3, 2, 10, 35))
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.OPEN)
    at(berlin(2026, 3, 2, 10, 40))
    ticket_change_priority(ticket=ticket, actor=l1tech, priority=Priority.P2)
    first, whole = response(ticket), resolution(ticket)
    assert first.target_minutes == 30
    assert first.due_at == berlin(2026, 3, 2, 11, 0)  # 10:00 + 30 min + 30 min paused
    assert whole.target_minutes == 600
    assert whole.due_at == berlin(2026, 3, 3, 10, 30)  # 600 + 30 paused from Monday 10:00
    ticket.refresh_from_db()
    assert ticket.response_due_at == first.due_at
    recomputed = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOCK_RECOMPUTED)
    assert recomputed.count() == 2
    assert {e.after["priority"] for e in recomputed} == {"P2"}


def test_resolve_meets_resolution_and_reopen_starts_a_new_cycle(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(alice)
    at(berlin(2026, 3, 2, 11, 30))
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.RESOLVED)
    assert resolution(ticket).met_at == berlin(2026, 3, 2, 11, 30)
    assert response(ticket).stopped_at == berlin(2026, 3, 2, 11, 30)
    ticket.refresh_from_db()
    assert ticket.resolution_due_at is None and ticket.response_due_at is None
    assert ticket_sla_status(ticket) == SlaStatus.MET
    at(berlin(2026, 3, 3, 9, 0))
    ticket_change_status(ticket=ticket, actor=alice, status=Status.OPEN)
    second = resolution(ticket, cycle=2)
    assert second.started_at == berlin(2026, 3, 3, 9, 0)
    assert second.due_at == berlin(2026, 3, 6, 9, 0)
    assert resolution(ticket, cycle=1).met_at is not None
    ticket.refresh_from_db()
    assert ticket.resolution_due_at == second.due_at
    started = TicketEvent.objects.filter(
        ticket=ticket, kind=EventKind.CLOCK_STARTED, after__kind=ClockKind.RESOLUTION
    ).last()
    assert started.after["reopened"] is True and started.after["cycle"] == 2


def test_close_without_resolution_stops_every_clock(alice, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(alice)
    ticket_change_status(ticket=ticket, actor=alice, status=Status.CLOSED)
    clocks = Clock.objects.filter(ticket=ticket)
    assert all(c.stopped_at and not c.met_at for c in clocks)
    ticket.refresh_from_db()
    assert ticket.response_due_at is None and ticket.resolution_due_at is None


def test_entering_a_tier_while_waiting_on_the_customer_starts_paused(
    alice, l1tech, l2tech, standard, at
):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = new_ticket(alice)
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
    at(berlin(2026, 3, 2, 11, 0))
    ticket = ticket_move_tier(ticket=ticket, actor=None, tier=Tier.L2, reason="expert needed")
    clock = response(ticket, tier=Tier.L2)
    assert clock.paused_at == berlin(2026, 3, 2, 11, 0)
    assert ClockPause.objects.filter(clock=clock, ended_at__isnull=True).exists()
    ticket.refresh_from_db()
    assert ticket.sla_paused
    at(berlin(2026, 3, 2, 12, 0))
    ticket_change_status(ticket=ticket, actor=l2tech, status=Status.OPEN)
    assert response(ticket, tier=Tier.L2).due_at == berlin(2026, 3, 2, 14, 0)  # 11:00+1h+2h


def test_deadline_across_the_spring_forward_weekend_keeps_wall_clock_hours(alice, standard, at):
    at(berlin(2026, 3, 27, 17, 30))  # Friday; clocks go forward on Sunday 29 March
    ticket = new_ticket(alice, priority=Priority.P4)  # L1 P4: 240 business minutes
    due = response(ticket).due_at
    assert due == berlin(2026, 3, 30, 11, 30)  # 30 min Friday + 3 h 30 Monday from 08:00
    assert due == datetime(2026, 3, 30, 9, 30, tzinfo=UTC)  # CEST, UTC+2


def test_the_claims_running_check_is_the_running_index_definition(alice, standard, at):
    """The sweep claims clocks it read under lock with `Clock.is_running`: the same clocks
    as RUNNING, the condition of the due-clock index."""
    at(berlin(2026, 3, 2, 10, 0))
    clock = response(new_ticket(alice))
    instant = berlin(2026, 3, 2, 11, 0)
    columns = ("met_at", "breached_at", "paused_at", "stopped_at")
    for n in range(2 ** len(columns)):
        values = {c: instant if n >> i & 1 else None for i, c in enumerate(columns)}
        Clock.objects.filter(pk=clock.pk).update(**values)
        clock.refresh_from_db()
        assert clock.is_running == Clock.objects.running().filter(pk=clock.pk).exists(), values
