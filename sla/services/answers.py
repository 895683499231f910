"""Clocks the conversation drives: staff answering meets them, a customer's message owes one.

* A public staff reply (or an acknowledgement allowed to stand alone) meets the current
  tier's response clock; a public staff reply also meets the owed next-response clock.
* A customer's public message (browser, API, mail intake: all go through
  `tickets.services.ticket_reply`) starts a next-response clock, unless one is owed
  already: a second message while the first waits does not restart the deadline. A
  reopen starts one too (`clocks.clocks_change_status`, with `next_response_start`).
* Internal notes change no clock.

One set-based path for one reply and for many (`tickets_add_note` sends all its notes in
one signal): one locked read of all their clocks, one write of the met clocks, one insert
of the started ones, their events; the tickets' SLA columns are answered to the reply
service (or the acknowledgement), which writes them with its own change of the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from tickets import events
from tickets.permissions import can_work

from .. import events as clock_events
from ..models import Clock, ClockKind
from .clocks import (
    Closing,
    clock_policy,
    close_pauses,
    finish,
    next_response_start,
    save_clocks,
    ticket_policies,
)
from .deadlines import is_open
from .marking import clocks_for_tickets
from .starting import Start, clocks_start
from .sync import Answered, tickets_sla_columns

if TYPE_CHECKING:
    from tickets.models import Reply, Ticket, TicketEvent


def reply_meets_response(*, ticket: Ticket, reply: Reply) -> bool:
    """A public reply by someone who can work the ticket counts as a response."""
    return not reply.internal and can_work(ticket=ticket, user=reply.author)


def clocks_after_replies(*, replies: Sequence[tuple[Ticket, Reply]]) -> Answered:
    """The clocks of one write's replies (ticket, reply): staff answers meet, customer
    messages start a next-response clock. Answers the SLA columns of the tickets whose
    clocks changed, for the reply service to write with its own change of the rows."""
    answered: dict[int, Ticket] = {}
    asked: dict[int, Ticket] = {}
    for ticket, reply in replies:
        if reply.internal:
            continue
        if reply_meets_response(ticket=ticket, reply=reply):
            answered[ticket.pk] = ticket
            asked.pop(ticket.pk, None)
        else:
            # ticket_reply lets only the ticket's customers (or staff) write: a customer.
            asked[ticket.pk] = ticket
            answered.pop(ticket.pk, None)
    return clocks_answer(
        answered=list(answered.values()), asked=list(asked.values()), next_response=True
    )[1]


def clocks_meet_responses(*, tickets: Sequence[Ticket]) -> Answered:
    """An acknowledgement that stands alone (the agreement allows it): meets the current
    tier's response clock, not the next response (the customer heard nothing). Answers the
    SLA columns of the tickets whose clocks changed, for the acknowledging service to write."""
    return clocks_answer(answered=tickets, asked=(), next_response=False)[1]


def clocks_answer(
    *, answered: Sequence[Ticket], asked: Sequence[Ticket], next_response: bool
) -> tuple[list[Clock], Answered]:
    """Meet the owed response clock of each `answered` ticket's tier (and, with
    `next_response`, its owed next-response clock); start a next-response clock on each
    `asked` ticket that has none owed. Call with the tickets locked. Returns the clocks met
    or started and the new SLA columns of their tickets (by ticket id), to be written."""
    tickets = [*answered, *asked]
    if not tickets:
        return [], {}
    by_ticket = clocks_for_tickets([t.pk for t in tickets], lock=True)
    policies = ticket_policies(tickets, by_ticket)
    now = timezone.now()
    closing: Closing = []
    met: list[Clock] = []
    notes: list[TicketEvent] = []
    for ticket in answered:
        policy = policies.get(ticket.pk)
        if policy is None:
            continue
        for clock in _owed_answers(ticket, by_ticket.get(ticket.pk, []), next_response):
            facts = finish(clock, clock_policy(clock, policy), now, met=True, closing=closing)
            met.append(clock)
            notes.append(clock_events.met(clock, ticket=ticket, **facts))
    starts: list[Start] = []
    for ticket in asked:
        policy = policies.get(ticket.pk)
        if policy is None:
            continue
        clocks = by_ticket.get(ticket.pk, [])
        start = next_response_start(ticket=ticket, policy=policy, clocks=clocks, now=now)
        if start is not None:
            starts.append(start)
    if not (met or starts):
        return [], {}
    close_pauses(closing, now)
    save_clocks(met)
    events.insert(notes)
    # The one start path: paused at once (with its ledger row) if the ticket waits.
    started = clocks_start(starts=starts, created_at=now)[0] if starts else []
    for clock in started:
        by_ticket[clock.ticket_id].append(clock)
    touched = {c.ticket_id for c in (*met, *started)}
    columns = tickets_sla_columns(tickets=[t for t in tickets if t.pk in touched], clocks=by_ticket)
    return [*met, *started], columns


def _owed_answers(ticket: Ticket, clocks: list[Clock], next_response: bool) -> list[Clock]:
    """The latest owed response clock of the ticket's tier and (if asked) the owed
    next-response clock: what a staff answer meets."""
    found: dict[str, Clock] = {}
    for clock in clocks:
        current = clock.kind == ClockKind.RESPONSE and clock.tier == ticket.tier
        answer = next_response and clock.kind == ClockKind.NEXT_RESPONSE
        if not (current or answer) or not is_open(clock):
            continue
        known = found.get(clock.kind)
        if known is None or clock.cycle > known.cycle:
            found[clock.kind] = clock
    return list(found.values())
