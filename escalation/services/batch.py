"""Applying the escalation rules to a batch of due clocks in one short transaction.

This is the only implementation: the sweep runs batches of a thousand, a failing
batch is retried in halves down to one clock (services.sweep). Per clock: the mark
and its event (sla.services.marking), the rules' tier move through
`tickets.services.tickets_move_tier` (ticket rows, TIER/ASSIGNEE events, clocks and
SLA columns, the new tier group's queue notice, webhooks), priority raise and
assignment, one Escalation record, its ESCALATED event and the outbox rows. Per
batch it costs a fixed number of queries (rows go in by COPY on PostgreSQL), except
for the rare rules that raise priority or assign, which go through the ticket
services one ticket at a time (they recompute clocks and change status).

Exactly once: tickets are locked first (SKIP LOCKED on PostgreSQL), then their
clocks are read under a row lock and those still running and due are claimed; only
those are acted on. A claimed clock that its tier move stops is written once, its
mark with the stop (sla.services.marking, `write=False`). A ticket with several due
clocks in the batch has them handled in rounds (one clock per ticket per round, in due
order), as if they came one after the other. Run inside a transaction; if anything
raises, the caller rolls the batch back and retries it in halves.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from common.bulk import cache_related, insert_in_bulk, new_instance
from sla.services.marking import (
    UnwrittenMarks,
    clocks_mark,
    clocks_write_marks,
    tickets_lock_for_clocks,
)
from sla.services.sync import tickets_sync_sla
from sla.services.tier import clocks_already_read
from tickets import events
from tickets.models import EventKind, Ticket
from tickets.services import TierMove, tickets_move_tier

from .. import messages
from ..models import Escalation, EscalationRule, Trigger
from ..receivers import quiet_queue_notice
from .notify import Cause, notifications_write
from .rules import (
    Audience,
    clock_outbox,
    escalated_event_facts,
    escalation_fields,
    follow_up_rules,
    matching_rules,
    move_target,
    tells_group,
)

if TYPE_CHECKING:
    from sla.models import Clock


@dataclass
class BatchCounts:
    marked: int = 0
    escalations: int = 0
    notifications: int = 0


@dataclass
class _Plan:
    clock: Clock
    trigger: Trigger
    matching: list[EscalationRule]
    from_tier: str
    target: str | None
    actions: list[str] = field(default_factory=list)


def process_batch(
    *,
    clock_ids: Sequence[int],
    breach: bool,
    now: datetime,
    rules: list[EscalationRule],
    audience: Audience,
    queue: bool,
) -> BatchCounts:
    """Mark and escalate the due clocks among `clock_ids`; clocks of tickets locked
    elsewhere, or no longer due, are left alone. Call inside a transaction."""
    with messages.texts_once():
        return _process_batch(
            clock_ids=clock_ids,
            breach=breach,
            now=now,
            rules=rules,
            audience=audience,
            queue=queue,
        )


def _process_batch(
    *,
    clock_ids: Sequence[int],
    breach: bool,
    now: datetime,
    rules: list[EscalationRule],
    audience: Audience,
    queue: bool,
) -> BatchCounts:
    counts = BatchCounts()
    tickets = tickets_lock_for_clocks(clock_ids=clock_ids)
    if not tickets:
        return counts
    # The marks are written by the first round (with the stop of the clocks its tier moves
    # end, the rest right after the moves), before anything reads the clocks again.
    clocks, stored, marks = clocks_mark(
        clock_ids=clock_ids, tickets=tickets, breach=breach, now=now, write=False
    )
    counts.marked = len(clocks)
    unwritten = UnwrittenMarks(breach, now, {clock.pk for clock in clocks})
    synced: set[int] = set()  # tickets whose rows a ticket service wrote with their SLA columns
    for n, round_clocks in enumerate(_rounds(clocks)):
        _round(
            clocks=round_clocks,
            # The clocks as read by the claim are current for the first round only.
            stored=stored if n == 0 else None,
            unwritten=unwritten if n == 0 else None,
            tickets=tickets,
            breach=breach,
            now=now,
            rules=rules,
            audience=audience,
            queue=queue,
            counts=counts,
            synced=synced,
        )
    # Tickets whose clocks only changed state: their columns once, from the clocks as stored
    # (moved ones were written by the tier move, raised ones by the priority service, each
    # with the SLA columns the engine answered from the clocks as marked).
    marked = {clock.ticket_id for clock in clocks} - synced
    tickets_sync_sla(tickets=[tickets[pk] for pk in marked])
    # Announced last: listeners (webhooks) read the tickets as the batch left them.
    events.announce(marks)
    return counts


def _rounds(clocks: list[Clock]) -> list[list[Clock]]:
    """Split into rounds holding at most one clock per ticket, keeping the due order."""
    rounds: list[list[Clock]] = []
    seen: dict[int, int] = defaultdict(int)
    for clock in clocks:
        n = seen[clock.ticket_id]
        seen[clock.ticket_id] += 1
        if n == len(rounds):
            rounds.append([])
        rounds[n].append(clock)
    return rounds


def _round(
    *,
    clocks: list[Clock],
    stored: dict[int, list[Clock]] | None,
    unwritten: UnwrittenMarks | None,
    tickets: dict[int, Ticket],
    breach: bool,
    now: datetime,
    rules: list[EscalationRule],
    audience: Audience,
    queue: bool,
    counts: BatchCounts,
    synced: set[int],
) -> None:
    plans: list[_Plan] = []
    for clock in clocks:
        ticket = tickets[clock.ticket_id]
        cache_related(clock, ticket=ticket)
        trigger, matching = matching_rules(clock=clock, ticket=ticket, breach=breach, rules=rules)
        if matching:
            target = move_target(clock=clock, ticket=ticket, matching=matching)
            plans.append(_Plan(clock, trigger, matching, ticket.tier, target))
    moves = [p for p in plans if p.target]
    reused = clocks_already_read(stored, unwritten) if stored is not None else None
    with reused or contextlib.nullcontext():
        _move(plans=moves, tickets=tickets)
    if unwritten is not None:
        # The claimed clocks the moves did not stop (their stop wrote the others' marks).
        clocks_write_marks(unwritten)
    if not plans:
        return
    synced.update(p.clock.ticket_id for p in moves)
    for plan in plans:
        if plan.target:
            plan.actions.append(f"moved:{plan.from_tier}->{plan.target}")
            counts.escalations += 1
        # Priority raise and assignment: rare, and they recompute clocks (ticket services).
        ticket = follow_up_rules(
            ticket=tickets[plan.clock.ticket_id], matching=plan.matching, actions=plan.actions
        )
        if ticket.priority != tickets[ticket.pk].priority:
            synced.add(ticket.pk)
        tickets[ticket.pk] = ticket
        cache_related(plan.clock, ticket=ticket)
    records = insert_in_bulk(
        [
            new_instance(
                Escalation,
                **escalation_fields(
                    ticket=plan.clock.ticket,
                    clock=plan.clock,
                    breach=breach,
                    matching=plan.matching,
                    from_tier=plan.from_tier,
                    actions=plan.actions,
                    now=now,
                ),
            )
            for plan in plans
        ],
        need_ids=True,
    )
    created_at = timezone.now()
    escalated = events.insert(
        [
            events.build(
                ticket=plan.clock.ticket,
                kind=EventKind.ESCALATED,
                actor=None,
                internal=True,
                created_at=created_at,
                **escalated_event_facts(record=record, clock=plan.clock, trigger=plan.trigger),
            )
            for plan, record in zip(plans, records, strict=True)
            # A warning that only notifies is already in the history as CLOCK_WARNED.
            if breach or plan.actions
        ]
    )
    events.announce(escalated)
    outboxes = [
        clock_outbox(
            ticket=plan.clock.ticket,
            clock=plan.clock,
            breach=breach,
            rules=plan.matching,
            audience=audience,
            moved_from=plan.from_tier,
        )
        for plan in plans
    ]
    written = notifications_write(
        causes=[
            Cause(outbox, plan.clock.ticket, cause)
            for (outbox, cause), plan in zip(outboxes, plans, strict=True)
        ],
        now=now,
        queue=queue,
    )
    counts.notifications += sum(written)


def _move(*, plans: list[_Plan], tickets: dict[int, Ticket]) -> None:
    """The rules' tier moves of a round, through the one tier-move service. A rule that
    tells the tier group itself keeps the group's queue notice quiet."""
    if not plans:
        return
    quiet = [p.clock.ticket_id for p in plans if tells_group(p.matching)]
    with quiet_queue_notice(quiet):
        tickets_move_tier(
            moves=[
                TierMove(tickets[p.clock.ticket_id], p.target or "", f"{p.trigger} (SLA)")
                for p in plans
            ],
            actor=None,
            locked_by_caller=True,
        )
