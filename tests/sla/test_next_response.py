"""The next-response clock: a customer's message is owed an answer, in business time."""

import pytest

from sla.models import Clock, ClockKind
from sla.selectors import SlaStatus, ticket_sla_status
from sla.services.sync import sla_columns
from tickets.models import EventKind, Priority, Status, TicketEvent
from tickets.services import (
    ticket_acknowledge,
    ticket_change_priority,
    ticket_change_status,
    ticket_create,
    ticket_move_tier,
    ticket_reply,
    tickets_add_note,
)

from .conftest import berlin
from .test_bulk_and_queries import sla_receivers_only  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def answers(ticket):
    return list(Clock.objects.filter(ticket=ticket, kind=ClockKind.NEXT_RESPONSE))


def answered_ticket(alice, l1tech, at, **kwargs):
    """A ticket whose first response was given: only the resolution clock is owed."""
    at(berlin(2026, 3, 2, 9, 0))  # Monday
    ticket = ticket_create(requester=alice, subject="VPN", description="Down", **kwargs)
    at(berlin(2026, 3, 2, 9, 10))
    ticket_reply(ticket=ticket, author=l1tech, body="Looking into it.")
    ticket.refresh_from_db()
    assert answers(ticket) == []
    return ticket


def test_customer_reply_starts_the_clock_in_business_time(alice, l1tech, standard, at):
    ticket = answered_ticket(alice, l1tech, at)
    at(berlin(2026, 3, 2, 17, 30))  # half an hour before closing
    ticket_reply(ticket=ticket, author=alice, body="Still down.")
    (clock,) = answers(ticket)
    # P3: 120 business minutes, 30 today and 90 from tomorrow's opening at 08:00.
    assert (clock.tier, clock.cycle, clock.target_minutes) == ("", 1, 120)
    assert clock.due_at == berlin(2026, 3, 3, 9, 30)
    assert clock.warn_at == berlin(2026, 3, 3, 9, 6)  # 80 %: 96 minutes
    ticket.refresh_from_db()
    assert ticket.next_response_due_at == clock.due_at
    assert ticket.next_due_at == clock.due_at  # earlier than the resolution deadline
    assert ticket.answer_due_at == clock.due_at
    assert sla_columns(tier=ticket.tier, clocks=ticket.clocks.all())["next_due_at"] == clock.due_at
    started = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOCK_STARTED).last()
    assert started.after["kind"] == ClockKind.NEXT_RESPONSE


def test_a_second_message_does_not_restart_the_clock(alice, l1tech, standard, at):
    ticket = answered_ticket(alice, l1tech, at)
    at(berlin(2026, 3, 2, 10, 0))
    ticket_reply(ticket=ticket, author=alice, body="Still down.")
    at(berlin(2026, 3, 2, 10, 45))
    ticket_reply(ticket=ticket, author=alice, body="Hello?")
    (clock,) = answers(ticket)
    assert clock.started_at == berlin(2026, 3, 2, 10, 0)
    assert clock.due_at == berlin(2026, 3, 2, 12, 0)


def test_public_staff_reply_meets_it_and_an_internal_note_does_not(alice, l1tech, standard, at):
    ticket = answered_ticket(alice, l1tech, at)
    at(berlin(2026, 3, 2, 10, 0))
    ticket_reply(ticket=ticket, author=alice, body="Still down.")
    at(berlin(2026, 3, 2, 10, 30))
    ticket_reply(ticket=ticket, author=l1tech, body="Checked the logs", internal=True)
    tickets_add_note(tickets=[ticket], author=l1tech, body="Asked the network team")
    (clock,) = answers(ticket)
    assert clock.is_running
    ticket.refresh_from_db()
    assert ticket.next_response_due_at == berlin(2026, 3, 2, 12, 0)

    at(berlin(2026, 3, 2, 11, 0))
    ticket_reply(ticket=ticket, author=l1tech, body="Fixed: please reconnect.")
    clock.refresh_from_db()
    assert clock.met_at == berlin(2026, 3, 2, 11, 0) and clock.breached_at is None
    ticket.refresh_from_db()
    assert ticket.next_response_due_at is None and ticket.answer_due_at is None
    assert ticket.next_due_at == ticket.resolution_due_at
    met = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CLOCK_MET).last()
    assert (met.after["kind"], met.after["late"]) == (ClockKind.NEXT_RESPONSE, False)

    # The next message owes the next answer: a new cycle.
    at(berlin(2026, 3, 2, 14, 0))
    ticket_reply(ticket=ticket, author=alice, body="Down again.")
    assert [(c.cycle, c.is_running) for c in answers(ticket)] == [(1, False), (2, True)]


def test_a_silent_acknowledgement_does_not_answer_the_customer(alice, l1tech, standard, at):
    standard.acknowledge_needs_message = False
    standard.save()
    ticket = answered_ticket(alice, l1tech, at)
    at(berlin(2026, 3, 2, 10, 0))
    ticket_reply(ticket=ticket, author=alice, body="Still down.")
    ticket_acknowledge(ticket=ticket, actor=l1tech)
    assert answers(ticket)[0].is_running
    ticket_acknowledge(ticket=ticket, actor=l1tech, message="We are on it.")
    assert answers(ticket)[0].met_at is not None


def test_customer_message_before_the_first_answer_is_owed_too(alice, l1tech, standard, at):
    at(berlin(2026, 3, 2, 9, 0))
    ticket = ticket_create(requester=alice, subject="VPN", description="Down")
    at(berlin(2026, 3, 2, 9, 20))
    ticket_reply(ticket=ticket, author=alice, body="It is urgent.")
    ticket.refresh_from_db()
    assert ticket.answer_due_at == ticket.response_due_at == berlin(2026, 3, 2, 10, 0)
    assert ticket.next_response_due_at == berlin(2026, 3, 2, 11, 20)
    # One staff answer meets both: the first response and the next response.
    ticket_reply(ticket=ticket, author=l1tech, body="On it.")
    assert not Clock.objects.filter(ticket=ticket).exclude(kind=ClockKind.RESOLUTION).running()


def test_waiting_on_the_customer_pauses_it(alice, l1tech, standard, at):
    ticket = answered_ticket(alice, l1tech, at)
    at(berlin(2026, 3, 2, 10, 0))
    ticket_reply(ticket=ticket, author=alice, body="Still down.")
    at(berlin(2026, 3, 2, 10, 30))
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.PENDING_CUSTOMER)
    (clock,) = answers(ticket)
    assert clock.paused_at == berlin(2026, 3, 2, 10, 30)
    ticket.refresh_from_db()
    assert ticket_sla_status(ticket) == SlaStatus.PAUSED
    at(berlin(2026, 3, 2, 13, 30))  # three business hours later the customer writes
    ticket_reply(ticket=ticket, author=alice, body="Here are the logs.")
    (clock,) = answers(ticket)  # resumed, not restarted
    assert clock.paused_at is None and clock.paused_seconds == 3 * 3600
    assert clock.due_at == berlin(2026, 3, 2, 15, 0)


def test_on_hold_pauses_it_where_the_agreement_says_so(alice, l1tech, standard, at):
    standard.pause_on_hold = True
    standard.save()
    ticket = answered_ticket(alice, l1tech, at)
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.ON_HOLD)
    at(berlin(2026, 3, 2, 10, 0))
    ticket_reply(ticket=ticket, author=alice, body="Any news?")
    (clock,) = answers(ticket)
    assert clock.paused_at == berlin(2026, 3, 2, 10, 0)  # started paused
    assert clock.pauses.count() == 1


def test_reopen_starts_it(alice, l1tech, standard, at):
    ticket = answered_ticket(alice, l1tech, at)
    at(berlin(2026, 3, 2, 10, 0))
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.RESOLVED)
    at(berlin(2026, 3, 3, 9, 0))
    ticket_change_status(ticket=ticket, actor=alice, status=Status.OPEN)
    (clock,) = answers(ticket)
    assert clock.started_at == berlin(2026, 3, 3, 9, 0) and clock.is_running
    # The customer's reply on a resolved ticket reopens it: still one clock owed.
    ticket_change_status(ticket=ticket, actor=l1tech, status=Status.RESOLVED)
    at(berlin(2026, 3, 4, 9, 0))
    ticket_reply(ticket=ticket, author=alice, body="It is back.")
    assert [(c.cycle, c.started_at) for c in answers(ticket) if c.is_running] == [
        (2, berlin(2026, 3, 4, 9, 0))
    ]


def test_resolving_stops_it_and_a_tier_move_keeps_it(alice, l1tech, l2tech, standard, at):
    ticket = answered_ticket(alice, l1tech, at)
    at(berlin(2026, 3, 2, 10, 0))
    ticket_reply(ticket=ticket, author=alice, body="Still down.")
    ticket = ticket_move_tier(ticket=ticket, actor=None, tier="L2", reason="test")
    (clock,) = answers(ticket)
    assert clock.is_running
    ticket_change_status(ticket=ticket, actor=l2tech, status=Status.RESOLVED)
    clock.refresh_from_db()
    assert clock.stopped_at is not None and clock.met_at is None


def test_vip_target_and_priority_change(victor, l1tech, standard, at):
    ticket = answered_ticket(victor, l1tech, at, priority=Priority.P2)
    at(berlin(2026, 3, 2, 10, 0))
    ticket_reply(ticket=ticket, author=victor, body="Still down.")
    (clock,) = answers(ticket)
    assert clock.target_minutes == 30  # VIP P2
    ticket_change_priority(ticket=ticket, actor=l1tech, priority=Priority.P1)
    clock.refresh_from_db()
    assert (clock.target_minutes, clock.due_at) == (15, berlin(2026, 3, 2, 10, 15))


def test_warning_point_shows_in_the_sla_status(alice, l1tech, standard, at):
    ticket = answered_ticket(alice, l1tech, at)
    at(berlin(2026, 3, 2, 10, 0))
    ticket_reply(ticket=ticket, author=alice, body="Still down.")
    ticket.refresh_from_db()
    assert ticket_sla_status(ticket, now=berlin(2026, 3, 2, 11, 0)) == SlaStatus.OK
    assert ticket_sla_status(ticket, now=berlin(2026, 3, 2, 11, 40)) == SlaStatus.WARNING


@pytest.mark.usefixtures("sla_receivers_only")  # the SLA engine's own queries
def test_reply_query_counts(alice, l1tech, standard, at, django_assert_num_queries):
    at(berlin(2026, 3, 2, 9, 0))
    ticket_create(requester=alice, subject="warm", description="cache")
    ticket = ticket_create(requester=alice, subject="s", description="d")
    # savepoint, lock, reply, event; clocks (locked); clock; its event; the ticket row (its
    # updated_at and SLA columns in one UPDATE: 10 with two); release
    with django_assert_num_queries(9):
        ticket_reply(ticket=ticket, author=alice, body="Any news?")
    # One is owed already: only the read of the clocks is added to the reply's own six.
    with django_assert_num_queries(7):
        ticket_reply(ticket=ticket, author=alice, body="Hello?")
    # The first answer costs what it cost before the next-response clock (both clocks are
    # met in one update): reply, participation, status change and its clocks, clocks
    # (locked), clock update, events, and one UPDATE of the ticket row with the reply's
    # columns, the opening's and the SLA columns (15 when those were three).
    with django_assert_num_queries(12):
        ticket_reply(ticket=ticket, author=l1tech, body="On it.")
    # An internal note reads no clock (the note's own six).
    with django_assert_num_queries(6):
        ticket_reply(ticket=ticket, author=l1tech, body="note", internal=True)
    others = [ticket_create(requester=alice, subject=f"o{i}", description="d") for i in range(3)]
    # Notes on many tickets: the note service's own queries, none for clocks.
    with django_assert_num_queries(7):
        tickets_add_note(tickets=others, author=l1tech, body="Known outage")
