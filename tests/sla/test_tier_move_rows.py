"""A tier move, a status or priority change, an assignment, a reply and an acknowledgement
write each ticket row once: core columns by the ticket service, SLA columns computed by the
SLA engine and answered to it; listeners may not answer core columns."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Tier
from sla.models import Clock
from sla.services.sync import sla_columns
from tickets import signals
from tickets.models import Priority, Status, Ticket
from tickets.services import (
    TierMove,
    ticket_acknowledge,
    ticket_create,
    ticket_reply,
    tickets_add_note,
    tickets_assign,
    tickets_change_priority,
    tickets_change_status,
    tickets_move_tier,
)

from .conftest import berlin

pytestmark = pytest.mark.django_db


def _ticket_updates(captured) -> int:
    # An executemany (SQLite: one prepared UPDATE for all rows) is logged as "N times: …".
    statements = [re.sub(r"^\d+ times: ", "", q["sql"].lstrip()) for q in captured.captured_queries]
    return sum(1 for sql in statements if sql.upper().startswith('UPDATE "TICKETS_TICKET"'))


@pytest.mark.parametrize("count", [1, 3])
def test_a_tier_move_writes_the_ticket_rows_once_with_the_new_tiers_deadlines(
    alice, standard, at, count
):
    at(berlin(2026, 3, 2, 10, 0))
    tickets = [
        ticket_create(requester=alice, subject=f"s{n}", description="d") for n in range(count)
    ]
    before = {t.pk: t.response_due_at for t in tickets}
    at(berlin(2026, 3, 2, 11, 0))
    with CaptureQueriesContext(connection) as captured:
        tickets_move_tier(moves=[TierMove(t, Tier.L2, "test") for t in tickets], actor=None)
    assert _ticket_updates(captured) == 1
    for ticket in Ticket.objects.filter(pk__in=before):
        assert ticket.tier == Tier.L2
        expected = sla_columns(tier=Tier.L2, clocks=Clock.objects.filter(ticket=ticket))
        assert {column: getattr(ticket, column) for column in expected} == expected
        # The L2 response clock started at the move: a new deadline, written with the move.
        assert ticket.response_due_at != before[ticket.pk]


def test_a_listener_answering_core_columns_is_refused_and_nothing_moves(alice, standard, at):
    at(berlin(2026, 3, 2, 10, 0))
    ticket = ticket_create(requester=alice, subject="s", description="d")

    def meddle(changes, **kwargs):
        return {t.pk: {"status": Status.CLOSED} for t, *_rest in changes}

    signals.tickets_tier_changed.connect(meddle, dispatch_uid="test_meddle")
    try:
        with pytest.raises(ValueError, match="core ticket columns"):
            tickets_move_tier(moves=[TierMove(ticket, Tier.L2, "test")], actor=None)
    finally:
        signals.tickets_tier_changed.disconnect(dispatch_uid="test_meddle")
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.status) == (Tier.L1, Status.NEW)
    assert ticket.clocks.count() == 2  # the L2 clock went with the rolled-back move


def _rows_match_their_clocks(ids) -> None:
    for ticket in Ticket.objects.filter(pk__in=ids):
        expected = sla_columns(tier=ticket.tier, clocks=Clock.objects.filter(ticket=ticket))
        assert {column: getattr(ticket, column) for column in expected} == expected


def _filed(alice, at, count: int) -> list[Ticket]:
    at(berlin(2026, 3, 2, 10, 0))
    return [ticket_create(requester=alice, subject=f"s{n}", description="d") for n in range(count)]


# (statuses to reach first, the status change measured, what it does to the clocks)
STATUS_CHANGES = [
    ((Status.OPEN,), Status.PENDING_CUSTOMER, "pauses"),
    ((Status.OPEN,), Status.ON_HOLD, "pauses where the agreement says so"),
    ((Status.OPEN, Status.PENDING_CUSTOMER), Status.OPEN, "resumes"),
    ((Status.OPEN,), Status.RESOLVED, "meets the resolution, stops the rest"),
    ((Status.OPEN, Status.RESOLVED), Status.OPEN, "reopens: new clocks"),
    ((Status.OPEN,), Status.CLOSED, "stops all"),
]


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize(("path", "status", "effect"), STATUS_CHANGES)
def test_a_status_change_writes_the_ticket_rows_once_with_their_sla_columns(
    alice, l1tech, standard, at, count, path, status, effect
):
    standard.pause_on_hold = True
    standard.save()
    tickets = _filed(alice, at, count)
    for n, step in enumerate(path, start=1):
        at(berlin(2026, 3, 2, 10, 10 * n))
        tickets_change_status(tickets=tickets, actor=l1tech, status=step)
    before = {t.pk: t.next_due_at for t in Ticket.objects.filter(pk__in=[t.pk for t in tickets])}
    at(berlin(2026, 3, 2, 10, 30))  # every deadline still ahead: the clocks do pause
    with CaptureQueriesContext(connection) as captured:
        outcomes = tickets_change_status(tickets=tickets, actor=l1tech, status=status)
    assert all(outcome.ok for outcome in outcomes)
    assert _ticket_updates(captured) == 1, effect
    _rows_match_their_clocks(before)
    for ticket in Ticket.objects.filter(pk__in=before):
        assert ticket.status == status
        if status in (Status.RESOLVED, Status.CLOSED):
            assert ticket.next_due_at is None
        else:
            assert ticket.next_due_at is not None
        if status == Status.PENDING_CUSTOMER:
            assert ticket.sla_paused
        if path[-1] == Status.PENDING_CUSTOMER:
            # Resumed: the deadlines moved by the paused time, written with the status.
            assert not ticket.sla_paused
            assert ticket.next_due_at > before[ticket.pk]


@pytest.mark.parametrize("count", [1, 3])
def test_a_priority_change_writes_the_ticket_rows_once_with_the_new_deadlines(
    alice, l1tech, standard, at, count
):
    tickets = _filed(alice, at, count)
    before = {t.pk: t.next_due_at for t in tickets}
    at(berlin(2026, 3, 2, 10, 30))
    with CaptureQueriesContext(connection) as captured:
        outcomes = tickets_change_priority(tickets=tickets, actor=l1tech, priority=Priority.P1)
    assert all(outcome.ok for outcome in outcomes)
    assert _ticket_updates(captured) == 1
    _rows_match_their_clocks(before)
    for ticket in Ticket.objects.filter(pk__in=before):
        assert ticket.priority == Priority.P1
        assert ticket.next_due_at < before[ticket.pk]  # P1's targets are shorter


@pytest.mark.parametrize("count", [1, 3])
def test_assigning_new_tickets_opens_them_in_the_same_one_write(alice, l1tech, standard, at, count):
    tickets = _filed(alice, at, count)
    at(berlin(2026, 3, 2, 10, 30))
    with CaptureQueriesContext(connection) as captured:
        tickets_assign(tickets=tickets, actor=l1tech, assignee=l1tech)
    assert _ticket_updates(captured) == 1
    _rows_match_their_clocks([t.pk for t in tickets])
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]):
        assert (ticket.status, ticket.assignee_id) == (Status.OPEN, l1tech.pk)


def test_a_silent_acknowledgement_writes_the_ticket_row_once(alice, l1tech, standard, at):
    standard.acknowledge_needs_message = False
    standard.save()
    (ticket,) = _filed(alice, at, 1)
    at(berlin(2026, 3, 2, 10, 30))
    with CaptureQueriesContext(connection) as captured:
        ticket_acknowledge(ticket=ticket, actor=l1tech)
    assert _ticket_updates(captured) == 1
    _rows_match_their_clocks([ticket.pk])
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.response_due_at is None  # met by the acknowledgement


# (statuses to reach first, who replies, the status the reply leaves)
REPLIES = [
    ((), "l1tech", Status.OPEN),  # the first answer opens a new ticket, meets the response
    ((Status.OPEN, Status.PENDING_CUSTOMER), "alice", Status.OPEN),  # resumes, owes an answer
    ((Status.OPEN, Status.RESOLVED), "alice", Status.OPEN),  # reopens: new clocks
    ((Status.OPEN,), "l1tech", Status.OPEN),  # a later answer: only the clocks and updated_at
]


@pytest.mark.parametrize(("path", "author", "status"), REPLIES)
def test_a_reply_writes_the_ticket_row_once_with_the_status_it_causes_and_its_clocks(
    alice, l1tech, standard, at, path, author, status
):
    (ticket,) = _filed(alice, at, 1)
    for n, step in enumerate(path, start=1):
        at(berlin(2026, 3, 2, 10, 10 * n))
        tickets_change_status(tickets=[ticket], actor=l1tech, status=step)
    at(berlin(2026, 3, 2, 10, 30))
    by = {"alice": alice, "l1tech": l1tech}[author]
    with CaptureQueriesContext(connection) as captured:
        ticket_reply(ticket=ticket, author=by, body="Hello")
    assert _ticket_updates(captured) == 1
    _rows_match_their_clocks([ticket.pk])
    ticket.refresh_from_db()
    assert ticket.status == status
    assert ticket.updated_at == berlin(2026, 3, 2, 10, 30)
    if by == l1tech:
        assert ticket.first_response_at is not None
    else:
        assert ticket.next_response_due_at is not None  # the customer is owed an answer


def test_an_acknowledgement_with_a_message_writes_the_ticket_row_once(alice, l1tech, standard, at):
    (ticket,) = _filed(alice, at, 1)
    at(berlin(2026, 3, 2, 10, 30))
    with CaptureQueriesContext(connection) as captured:
        ticket_acknowledge(ticket=ticket, actor=l1tech, message="We are on it.")
    assert _ticket_updates(captured) == 1
    _rows_match_their_clocks([ticket.pk])
    ticket.refresh_from_db()
    assert (ticket.status, ticket.response_due_at) == (Status.OPEN, None)
    assert ticket.first_response_at == berlin(2026, 3, 2, 10, 30)


def test_an_internal_note_writes_no_ticket_row(alice, l1tech, standard, at):
    (ticket,) = _filed(alice, at, 1)
    with CaptureQueriesContext(connection) as captured:
        ticket_reply(ticket=ticket, author=l1tech, body="note", internal=True)
        tickets_add_note(tickets=[ticket], author=l1tech, body="note")
    assert _ticket_updates(captured) == 0
