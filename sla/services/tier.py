"""Clocks of tickets that changed tier, and the SLA columns of many tickets.

Per ticket: the unmet response clock of the tier left is stopped, a response clock of
the tier entered starts as the next cycle (deadlines from the policy code, paused at
once if the ticket waits on the customer), a CLOCK_STARTED event names the clocks it
replaces, and the ticket's SLA columns are rewritten. One ticket or a sweep batch of
a thousand cost the same fixed number of queries. Call with the tickets locked
(ticket → clock lock order, see marking.py).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.utils import timezone

from common.bulk import cache_related, insert_in_bulk, new_instance
from tickets import events

from .. import events as clock_events
from ..models import Clock, ClockKind, ClockPause
from ..policies import Policy
from .clocks import Closing, clock_policy, close_pauses, finish, save_clocks, ticket_policies
from .deadlines import deadlines, is_open, pausing_statuses
from .marking import clocks_for_tickets
from .sync import tickets_sync_sla

if TYPE_CHECKING:
    from tickets.models import Ticket as TicketType
    from tickets.models import TicketEvent

logger = logging.getLogger(__name__)

_already_read: contextvars.ContextVar[dict[int, list[Clock]] | None] = contextvars.ContextVar(
    "clocks_already_read", default=None
)


@contextlib.contextmanager
def clocks_already_read(clocks: dict[int, list[Clock]]) -> Iterator[None]:
    """Within the block, tier moves of these tickets use `clocks` (all clocks of each ticket
    by ticket id, current and locked in this transaction, e.g. as the sweep's claim read
    them) instead of reading them again."""
    token = _already_read.set(clocks)
    try:
        yield
    finally:
        _already_read.reset(token)


def _response_clock(
    *,
    ticket: TicketType,
    policy: Policy,
    tier: str,
    cycle: int,
    now: datetime,
    memo: dict[tuple[int, int], tuple[datetime, datetime]],
) -> Clock | None:
    """`clocks._new_clock` for a response clock; every clock of a batch starts at `now`, so
    the business-time deadlines are computed once per (agreement, target), not per ticket."""
    minutes = policy.minutes(
        kind=ClockKind.RESPONSE, tier=tier, priority=ticket.priority, vip=ticket.is_vip
    )
    if minutes is None:
        logger.warning("agreement %s has no response target for %s", policy.agreement.pk, tier)
        return None
    key = (policy.agreement.pk, minutes)
    if key not in memo:
        memo[key] = deadlines(policy, started_at=now, minutes=minutes, paused_seconds=0)
    due, warn = memo[key]
    clock = new_instance(
        Clock,
        ticket_id=ticket.pk,
        kind=ClockKind.RESPONSE,
        tier=tier,
        cycle=cycle,
        agreement_id=policy.agreement.pk,
        target_minutes=minutes,
        started_at=now,
        due_at=due,
        warn_at=warn,
    )
    cache_related(clock, ticket=ticket, agreement=policy.agreement)
    return clock


def clocks_change_tier(
    *,
    changes: Sequence[tuple[TicketType, str, str]],
    now: datetime | None = None,
) -> tuple[list[Clock], list[TicketEvent]]:
    """For each (ticket, before, after): stop `before`'s open response clock, start `after`'s.

    The tickets already carry their new tier. Returns the clocks started and their
    CLOCK_STARTED events (inserted, for the caller to announce).
    """
    if not changes:
        return [], []
    now = now or timezone.now()
    tickets = [ticket for ticket, _, _ in changes]
    known = _already_read.get()
    if known is not None and all(t.pk in known for t in tickets):
        clocks = {t.pk: known[t.pk] for t in tickets}
    else:
        clocks = clocks_for_tickets([t.pk for t in tickets], lock=True)
    policies = ticket_policies(tickets, clocks)
    stopped: list[Clock] = []
    closing: Closing = []
    unpaused_stops: list[int] = []
    started: list[Clock] = []
    replaces: dict[int, list[int]] = {}
    memo: dict[tuple[int, int], tuple[datetime, datetime]] = {}
    for ticket, before, after in changes:
        policy = policies.get(ticket.pk)
        if policy is None:
            continue  # no agreement: no SLA for this ticket, as in clocks_change_tier
        own = clocks[ticket.pk]
        ended = []
        for clock in own:
            if clock.kind == ClockKind.RESPONSE and clock.tier == before and is_open(clock):
                was_paused = clock.paused_at is not None
                # Stopping a running clock needs no policy (only a pause's end does).
                own_policy = clock_policy(clock, policy) if was_paused else policy
                finish(clock, own_policy, now, met=False, closing=closing)
                ended.append(clock.pk)
                if was_paused:
                    stopped.append(clock)
                else:
                    unpaused_stops.append(clock.pk)
        cycle = 1 + max(
            (c.cycle for c in own if c.kind == ClockKind.RESPONSE and c.tier == after), default=0
        )
        new = _response_clock(
            ticket=ticket, policy=policy, tier=after, cycle=cycle, now=now, memo=memo
        )
        if new is None:
            continue
        new.paused_at = now if ticket.status in pausing_statuses(policy.agreement) else None
        started.append(new)
        own.append(new)
        replaces[id(new)] = ended
    if unpaused_stops:
        # Running or breached clocks only get `stopped_at`: one UPDATE for the batch.
        _stop(unpaused_stops, now)
    if stopped:
        # A paused clock also closes its pause and moves its deadlines (rare).
        close_pauses(closing, now)
        save_clocks(stopped)
    insert_in_bulk(started, need_ids=True)
    ClockPause.objects.bulk_create(
        [ClockPause(clock=c, started_at=now) for c in started if c.paused_at is not None]
    )
    created_at = timezone.now()
    recorded = events.insert(
        [
            clock_events.started(clock, replaces=replaces[id(clock)], created_at=created_at)
            for clock in started
        ]
    )
    tickets_sync_sla(tickets=tickets, clocks=clocks)
    return started, recorded


def _stop(ids: list[int], now: datetime) -> None:
    if connection.vendor != "postgresql":
        Clock.objects.filter(pk__in=ids).update(stopped_at=now)
        return
    # One array parameter instead of a thousand placeholders (cheaper to build and plan).
    table = connection.ops.quote_name(Clock._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET stopped_at = %s WHERE id = ANY(%s)",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now), ids],
        )
