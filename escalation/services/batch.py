"""The sweep's set-based path: a batch of due clocks in one short transaction.

Per clock the effects are those of the per-clock path (`clock_mark_*` + `apply_rules`):
the mark and its event, the rules' tier move (ticket row, TIER/ASSIGNEE events, old
response clock stopped, new one started, SLA columns), priority raise and assignment,
one Escalation record, its ESCALATED event, the outbox rows, and what listeners of a
tier change get (the new tier group's queue notice; webhook deliveries, which
listen to ticket events, through `tickets.signals.ticket_events_bulk_recorded`).
Per batch it costs a fixed number of queries (rows go in by COPY on PostgreSQL),
except for the rare rules that raise priority or assign, which go through the ticket
services one ticket at a time (they recompute clocks and change status).

Exactly once: tickets are locked first (SKIP LOCKED on PostgreSQL), then one
conditional UPDATE … RETURNING claims the clocks still running and due; only
those are acted on. A ticket with several due clocks in the batch has them
handled in rounds (one clock per ticket per round, in due order), as the
per-clock path would one after the other. Run inside a transaction; if anything
raises, the caller rolls the batch back and processes its clocks one by one.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from accounts.models import Tier
from sla.services.bulk_insert import insert_in_bulk, new_instance
from sla.services.bulk_marking import (
    attach_ticket,
    clocks_mark_in_bulk,
    events_announce,
    events_record_in_bulk,
    new_event,
    tickets_lock_for_clocks,
)
from sla.services.bulk_tier import clocks_change_tier_in_bulk, tickets_sync_sla_in_bulk
from tickets.models import EventKind, Ticket
from tickets.permissions import can_work

from .. import messages
from ..models import Escalation, EscalationRule, NotificationKind, Trigger
from .notify import Message, notifications_write_many
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
    from accounts.models import User
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
    clocks, stored = clocks_mark_in_bulk(
        clock_ids=clock_ids, tickets=tickets, breach=breach, now=now
    )
    counts.marked = len(clocks)
    moved: set[int] = set()
    for n, round_clocks in enumerate(_rounds(clocks)):
        _round(
            clocks=round_clocks,
            # The clocks as read after the claim are current for the first round only.
            stored=stored if n == 0 else None,
            tickets=tickets,
            breach=breach,
            now=now,
            rules=rules,
            audience=audience,
            queue=queue,
            counts=counts,
            moved=moved,
        )
    # Tickets whose clocks only changed state: their columns once, from the clocks as stored
    # (moved ones were written by the tier move, raised ones by the priority service).
    marked = {clock.ticket_id for clock in clocks} - moved
    tickets_sync_sla_in_bulk(tickets=[tickets[pk] for pk in marked])
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
    tickets: dict[int, Ticket],
    breach: bool,
    now: datetime,
    rules: list[EscalationRule],
    audience: Audience,
    queue: bool,
    counts: BatchCounts,
    moved: set[int],
) -> None:
    plans: list[_Plan] = []
    for clock in clocks:
        ticket = tickets[clock.ticket_id]
        attach_ticket(clock, ticket)
        trigger, matching = matching_rules(clock=clock, ticket=ticket, breach=breach, rules=rules)
        if matching:
            target = move_target(clock=clock, ticket=ticket, matching=matching)
            plans.append(_Plan(clock, trigger, matching, ticket.tier, target))
    if not plans:
        return
    moves = [p for p in plans if p.target]
    queue_notices = _move(plans=moves, tickets=tickets, audience=audience, stored=stored)
    moved.update(p.clock.ticket_id for p in moves)
    for plan in plans:
        if plan.target:
            plan.actions.append(f"moved:{plan.from_tier}->{plan.target}")
            counts.escalations += 1
        # Priority raise and assignment: rare, and they recompute clocks (ticket services).
        ticket = follow_up_rules(
            ticket=tickets[plan.clock.ticket_id], matching=plan.matching, actions=plan.actions
        )
        tickets[ticket.pk] = ticket
        attach_ticket(plan.clock, ticket)
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
    events_record_in_bulk(
        [
            new_event(
                plan.clock.ticket,
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
    # The clocks' own messages first (counted, as in the per-clock path), then queue notices.
    written = notifications_write_many(
        causes=[
            *(
                (outbox, plan.clock.ticket, cause)
                for (outbox, cause), plan in zip(outboxes, plans, strict=True)
            ),
            *queue_notices,
        ],
        now=now,
        queue=queue,
    )
    counts.notifications += sum(written[: len(plans)])


def _move(
    *,
    plans: list[_Plan],
    tickets: dict[int, Ticket],
    audience: Audience,
    stored: dict[int, list[Clock]] | None,
) -> list[tuple[list[Message], Ticket, str]]:
    """`ticket_move_tier` for a batch: rows, events, clocks, signal; returns queue notices."""
    if not plans:
        return []
    now = timezone.now()
    changes: list[tuple[Ticket, str, str, str]] = []
    released: list[tuple[Ticket, User]] = []
    for plan in plans:
        ticket = tickets[plan.clock.ticket_id]
        assert plan.target is not None
        ticket.tier, ticket.updated_at = plan.target, now
        if ticket.assignee is not None and not can_work(ticket=ticket, user=ticket.assignee):
            # An assignee who cannot work the new tier is released, as in ticket_move_tier.
            released.append((ticket, ticket.assignee))
            ticket.assignee = None
        changes.append((ticket, plan.from_tier, plan.target, f"{plan.trigger} (SLA)"))
    moves = events_record_in_bulk(
        [
            new_event(
                ticket,
                kind=EventKind.TIER,
                actor=None,
                before={"tier": before},
                after={"tier": after, "reason": reason},
                internal=False,
                created_at=now,
            )
            for ticket, before, after, reason in changes
        ]
        + [
            new_event(
                ticket,
                kind=EventKind.ASSIGNEE,
                actor=None,
                before={"assignee": {"id": user.pk, "username": user.username}},
                after={"assignee": None},
                internal=True,
                created_at=now,
            )
            for ticket, user in released
        ],
        announce=False,
    )
    # The ticket rows' tier, updated_at and (released) assignee go in with the SLA columns:
    # one UPDATE of the batch's ticket rows instead of two.
    clocks_change_tier_in_bulk(
        changes=[(t, before, after) for t, before, after, _ in changes],
        clocks=stored,
        also=("tier", "updated_at", "assignee_id"),
    )
    # Announced once the clocks and SLA columns moved too: webhook payloads carry the new
    # deadlines, as after ticket_move_tier.
    events_announce(moves)
    notices = []
    for plan, (ticket, before, after, _reason) in zip(plans, changes, strict=True):
        if tells_group(plan.matching):
            continue  # the rule's own message tells the group (quiet_queue_notice)
        subject, body = messages.queue_message(
            ticket=ticket, escalated=Tier.rank(after) > Tier.rank(before)
        )
        outbox = [
            Message(user, NotificationKind.NEW_IN_QUEUE, subject, body)
            for user in audience.tier_group(after)
        ]
        # Same cause key shape as escalation.receivers.on_tier_changed.
        notices.append((outbox, ticket, f"queue-{after}:{ticket.pk}:{uuid.uuid4().hex[:16]}"))
    return notices
