"""The clock engine: ticket changes (via tickets.signals) → clock rows, events, ticket columns.

Rules (what the dashboard and the sweep rely on):

* A clock's `due_at`/`warn_at` are always `started_at` + target (+ warning share)
  + the business time it spent paused, computed with the agreement's calendar.
  A start outside working hours counts from the next opening.
* `met_at` is set only when the clock is met within its target, so
  "met within target" is `met_at IS NOT NULL` and "breached" is
  `breached_at IS NOT NULL`; never both. Work that arrives after the deadline
  ends the clock with `stopped_at` (event `clock_met` with `late: true`); if the
  sweep had not marked the breach yet, it is recorded then, at `due_at`.
* `stopped_at` ends a clock that is no longer owed: the ticket left the tier, was
  resolved or closed, or was answered late.
* Kinds: a response clock per tier entered, a resolution clock per (re)opening, a
  next-response clock per customer message waiting for an answer (at most one owed at a
  time; replies drive it, see answers.py).
* Handlers lock the ticket's clock rows (`select_for_update`), so a reply and
  the escalation sweep's conditional update never both win.
* Every handler issues a fixed number of queries, whatever the ticket's history.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from accounts.models import Tier
from common.bulk import update_in_bulk
from tickets import events
from tickets.models import Status

from .. import events as clock_events
from ..models import Agreement, Clock, ClockKind, ClockPause
from ..policies import Policy, applicable_agreement, applicable_agreements, policy_for
from .deadlines import deadlines, is_open, iso, pausing_statuses
from .marking import clocks_for_tickets
from .starting import Start, clocks_start
from .sync import Answered, tickets_sla_columns

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

Closing = list[tuple[int, float]]  # pauses to close: (clock id, business seconds)

# From this many changed clocks on, they are written through common.bulk (a few fixed
# queries, linear) rather than bulk_update (one query, but its CASE chains grow
# quadratically: a release resolving 10,000 tickets spent most of its time there).
BULK_THRESHOLD = 200
SAVED = [
    "target_minutes",
    "due_at",
    "warn_at",
    "met_at",
    "breached_at",
    "paused_at",
    "paused_seconds",
    "stopped_at",
]


# --------------------------------------------------------------------------- helpers


def ticket_policies(tickets: Sequence[Ticket], clocks: dict[int, list[Clock]]) -> dict[int, Policy]:
    """The agreement already applied to each ticket (on its clocks), else the applicable one
    (one query for all tickets without clocks)."""
    found: dict[int, Policy] = {}
    built: dict[int, Policy] = {}  # one Policy per agreement, shared by its tickets

    def policy(agreement: Agreement) -> Policy:
        if agreement.pk not in built:
            built[agreement.pk] = policy_for(agreement)
        return built[agreement.pk]

    missing = []
    for ticket in tickets:
        agreement = next(
            (c.agreement for c in reversed(clocks.get(ticket.pk, [])) if c.agreement is not None),
            None,
        )
        if agreement is not None:
            found[ticket.pk] = policy(agreement)
        else:
            missing.append(ticket)
    if missing:
        agreements = applicable_agreements({t.organisation_id for t in missing})
        for ticket in missing:
            chosen = agreements.get(ticket.organisation_id)
            if chosen is not None:
                found[ticket.pk] = policy(chosen)
    return found


def clock_policy(clock: Clock, fallback: Policy) -> Policy:
    return policy_for(clock.agreement) if clock.agreement is not None else fallback


def next_response_start(
    *, ticket: Ticket, policy: Policy, clocks: Sequence[Clock], now: datetime, **facts: Any
) -> Start | None:
    """The start of a next-response clock for `ticket` (a customer's message, a reopen),
    or None while one is owed already: a second message does not restart the deadline."""
    own = [c for c in clocks if c.kind == ClockKind.NEXT_RESPONSE]
    if any(is_open(c) for c in own):
        return None
    cycle = 1 + max((c.cycle for c in own), default=0)
    return Start(ticket, policy, ClockKind.NEXT_RESPONSE.value, "", cycle, now, facts)


def _end_pause(clock: Clock, policy: Policy, now: datetime, closing: Closing) -> float:
    """End the pause: add its business time and move the deadlines by it; the open ledger
    row is closed by `close_pauses(closing)` with the others of the write."""
    assert clock.paused_at is not None
    seconds = policy.calendar.business_seconds_between(clock.paused_at, now)
    closing.append((clock.pk, seconds))
    clock.paused_seconds += seconds
    clock.paused_at = None
    clock.due_at, clock.warn_at = deadlines(
        policy,
        started_at=clock.started_at,
        minutes=clock.target_minutes,
        paused_seconds=clock.paused_seconds,
    )
    return seconds


def close_pauses(closing: Closing, now: datetime) -> None:
    """Close the open ledger rows of these (clock id, business seconds): one query."""
    if len(closing) == 1:
        ((clock_id, seconds),) = closing
        ClockPause.objects.filter(clock_id=clock_id, ended_at__isnull=True).update(
            ended_at=now, business_seconds=seconds
        )
    elif closing:
        table = connection.ops.quote_name(ClockPause._meta.db_table)
        moment = connection.ops.adapt_datetimefield_value(now)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET ended_at = %s, business_seconds = %s "  # noqa: S608
                "WHERE clock_id = %s AND ended_at IS NULL",
                [(moment, seconds, clock_id) for clock_id, seconds in closing],
            )


def finish(
    clock: Clock, policy: Policy, now: datetime, *, met: bool, closing: Closing
) -> dict[str, Any]:
    """End an open clock: met (within target, else late) or stopped; returns event facts."""
    if clock.paused_at is not None:
        _end_pause(clock, policy, now, closing)
    if not met:
        clock.stopped_at = now
        return {}
    if clock.breached_at is None and now <= clock.due_at:
        clock.met_at = now
        return {"met_at": iso(now), "late": False}
    if clock.breached_at is None:
        # The sweep had not got to it yet: the breach happened at due_at all the same.
        clock.breached_at = clock.due_at
    clock.stopped_at = now
    return {"met_at": iso(now), "late": True}


def save_clocks(clocks: Sequence[Clock]) -> None:
    """Write the changeable columns of these clocks (each its own values)."""
    if len(clocks) < BULK_THRESHOLD:
        if clocks:
            Clock.objects.bulk_update(clocks, SAVED)
        return
    rows = [(c.pk, {f: getattr(c, f) for f in SAVED}) for c in clocks]
    update_in_bulk(Clock, rows=rows, columns=SAVED)


# --------------------------------------------------------------------------- transitions


def route_new_ticket(*, requester: User) -> str | None:
    """The tier a new ticket of `requester` starts in, when the agreement routes it: VIP
    requesters straight to L2 if their agreement says so (decided before the ticket exists)."""
    if not requester.is_vip:
        return None
    agreement = applicable_agreement(requester.organisation_id)
    if agreement is not None and agreement.vip_route_to_l2:
        return Tier.L2
    return None


def silent_acknowledge_allowed(*, ticket: Ticket) -> bool:
    """Whether an acknowledgement without a message to the customer meets the response."""
    from ..selectors import ticket_agreement

    agreement = ticket_agreement(ticket)
    return bool(agreement and not agreement.acknowledge_needs_message)


def clocks_change_status(*, changes: Sequence[tuple[Ticket, str, str]]) -> Answered:
    """Status changes of many tickets (ticket, before, after), set-based: resolving meets
    the resolution clock and stops the rest, closing stops all, reopening starts a new
    resolution cycle and a next-response clock (the customer is owed an answer), waiting
    on the customer pauses and answering resumes.

    The tickets already carry their new status; their rows are written by the status
    service, which this answers with the tickets' new SLA column values (by ticket id)."""
    if not changes:
        return {}
    tickets = [ticket for ticket, _before, _after in changes]
    by_ticket = clocks_for_tickets([t.pk for t in tickets], lock=True)
    policies = ticket_policies(tickets, by_ticket)
    now = timezone.now()
    finished = (Status.RESOLVED, Status.CLOSED)
    changed: list[Clock] = []
    closing: Closing = []
    reopened: list[Start] = []
    notes: list[TicketEvent] = []
    for ticket, before, after in changes:
        policy = policies.get(ticket.pk)
        if policy is None:
            continue
        clocks = by_ticket.setdefault(ticket.pk, [])
        pausing = pausing_statuses(policy.agreement)
        if after in finished:
            for clock in clocks:
                if not is_open(clock):
                    continue
                met = after == Status.RESOLVED and clock.kind == ClockKind.RESOLUTION
                own = clock_policy(clock, policy)
                facts = finish(clock, own, now, met=met, closing=closing)
                changed.append(clock)
                if met:
                    notes.append(clock_events.met(clock, ticket=ticket, **facts))
        elif before in finished:
            # Reopened: the resolution is owed again, as a new cycle, and so is an answer.
            cycle = 1 + max((c.cycle for c in clocks if c.kind == ClockKind.RESOLUTION), default=0)
            kind, again = ClockKind.RESOLUTION.value, {"reopened": True}
            reopened.append(Start(ticket, policy, kind, "", cycle, now, again))
            answer = next_response_start(
                ticket=ticket, policy=policy, clocks=clocks, now=now, reopened=True
            )
            if answer is not None:
                reopened.append(answer)
        elif after in pausing and before not in pausing:
            for clock in clocks:
                # A clock already overdue (the sweep has not run yet) does not pause: its
                # deadline is gone, and the next sweep breaches it at that deadline.
                if (
                    is_open(clock)
                    and not clock.breached_at
                    and not clock.paused_at
                    and clock.due_at > now
                ):
                    clock.paused_at = now
                    changed.append(clock)
                    notes.append(clock_events.paused(clock, ticket=ticket, status=after))
        elif before in pausing and after not in pausing:
            for clock in clocks:
                if is_open(clock) and clock.paused_at is not None:
                    seconds = _end_pause(clock, clock_policy(clock, policy), now, closing)
                    changed.append(clock)
                    notes.append(clock_events.resumed(clock, ticket=ticket, paused_seconds=seconds))
    close_pauses(closing, now)
    save_clocks(changed)
    paused = [c for c in changed if c.paused_at == now]
    if paused:
        ClockPause.objects.bulk_create([ClockPause(clock=c, started_at=now) for c in paused])
    events.insert(notes)
    if reopened:
        for clock in clocks_start(starts=reopened)[0]:
            by_ticket[clock.ticket_id].append(clock)
    return tickets_sla_columns(tickets=tickets, clocks=by_ticket)


def clocks_change_priority(*, tickets: Sequence[Ticket]) -> Answered:
    """Recompute open, unbreached clocks from their start with the new priority's targets.

    The tickets already carry their new priority; their rows are written by the priority
    service, which this answers with the tickets' new SLA column values (by ticket id)."""
    if not tickets:
        return {}
    by_ticket = clocks_for_tickets([t.pk for t in tickets], lock=True)
    policies = ticket_policies(tickets, by_ticket)
    changed: list[Clock] = []
    notes: list[TicketEvent] = []
    pauses = _pause_ledgers([c for cs in by_ticket.values() for c in cs if c.paused_seconds])
    uncredited: list[int] = []
    for ticket in tickets:
        policy = policies.get(ticket.pk)
        if policy is None:
            continue
        for clock in by_ticket.get(ticket.pk, []):
            if not is_open(clock) or clock.breached_at is not None:
                continue
            own = clock_policy(clock, policy)
            minutes = own.minutes(
                kind=clock.kind, tier=clock.tier, priority=ticket.priority, vip=ticket.is_vip
            )
            if minutes is None:
                continue
            before = clock.due_at
            clock.target_minutes = minutes
            clock.paused_seconds = _credited_pause(own, clock, pauses.get(clock.pk, []))
            clock.due_at, clock.warn_at = deadlines(
                own,
                started_at=clock.started_at,
                minutes=minutes,
                paused_seconds=clock.paused_seconds,
            )
            if clock.paused_at is not None and clock.due_at <= clock.paused_at:
                # Under the new target the clock was overdue before this pause began: the
                # pause ends uncredited and the sweep breaches the clock at its deadline.
                clock.paused_at = None
                uncredited.append(clock.pk)
            changed.append(clock)
            notes.append(
                clock_events.recomputed(
                    clock,
                    ticket=ticket,
                    previous_due_at=before,
                    reason="priority changed",
                    priority=ticket.priority,
                )
            )
    if uncredited:
        ClockPause.objects.filter(clock_id__in=uncredited, ended_at__isnull=True).update(
            ended_at=timezone.now(), business_seconds=0
        )
    save_clocks(changed)
    events.insert(notes)
    return tickets_sla_columns(tickets=tickets, clocks=by_ticket)


def _pause_ledgers(clocks: Sequence[Clock]) -> dict[int, list[ClockPause]]:
    """The ended pauses of these clocks, oldest first, in one query (none: no query)."""
    ledgers: dict[int, list[ClockPause]] = {}
    if not clocks:
        return ledgers
    rows = ClockPause.objects.filter(
        clock_id__in=[c.pk for c in clocks], ended_at__isnull=False
    ).order_by("clock_id", "started_at", "id")
    for row in rows:
        ledgers.setdefault(row.clock_id, []).append(row)
    return ledgers


def _credited_pause(policy: Policy, clock: Clock, pauses: list[ClockPause]) -> float:
    """Business seconds of the ended pauses that began while the clock, under its current
    target, was still running: a pause that began after the deadline extends nothing.
    Without a ledger that accounts for the stored pause time, the stored time stands."""
    ledgered = sum(pause.business_seconds or 0.0 for pause in pauses)
    if not pauses or abs(ledgered - clock.paused_seconds) > 1:
        return clock.paused_seconds
    credited = 0.0
    for pause in pauses:
        due, _warn = deadlines(
            policy,
            started_at=clock.started_at,
            minutes=clock.target_minutes,
            paused_seconds=credited,
        )
        if pause.started_at >= due:
            break
        credited += pause.business_seconds or 0.0
    return credited
