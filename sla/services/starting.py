"""Starting clocks: the one path by which every clock begins.

A new ticket (one filed, or thousands inserted in bulk by demo/benchmark tooling), a
tier entered and a reopened ticket all start their clocks here: deadlines from the
policy (computed once per agreement, target and start), paused at once if the ticket
waits on the customer (with its ledger row), and one CLOCK_STARTED event per clock.
One ticket or a thousand cost the same few queries (rows go in by COPY on PostgreSQL).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from common.bulk import cache_related, insert_in_bulk, new_instance
from tickets import events
from tickets.models import Status

from .. import events as clock_events
from ..models import Clock, ClockKind, ClockPause
from ..policies import Policy, applicable_agreements, policy_for
from .deadlines import deadlines, pausing_statuses
from .sync import tickets_sync_sla

if TYPE_CHECKING:
    from tickets.models import Ticket, TicketEvent

logger = logging.getLogger(__name__)

# Demo backlogs and benchmarks start clocks for many thousands of tickets: in chunks, so
# the rows built in memory stay bounded.
CHUNK = 5000


@dataclass(slots=True)
class Start:
    """One clock to start: of `ticket` under `policy`, counting from `at`; `facts` are
    added to its CLOCK_STARTED event (`replaces`, `reopened`)."""

    ticket: Ticket
    policy: Policy
    kind: str
    tier: str
    cycle: int
    at: datetime
    facts: dict[str, Any] = field(default_factory=dict)


def clocks_start(
    *, starts: Sequence[Start], created_at: datetime | None = None
) -> tuple[list[Clock], list[TicketEvent]]:
    """Create these clocks, their pause ledger rows and CLOCK_STARTED events (inserted, for
    the caller to announce). A start without a target in its agreement is skipped (logged):
    validation keeps the tables complete, and a hand-edited gap must not break ticket
    writes. The caller rewrites the tickets' SLA columns (`sync.tickets_sync_sla`)."""
    memo: dict[tuple[int, int, datetime], tuple[datetime, datetime]] = {}
    clocks: list[Clock] = []
    facts: list[dict[str, Any]] = []
    for start in starts:
        clock = _build(start, memo)
        if clock is not None:
            clocks.append(clock)
            facts.append(start.facts)
    insert_in_bulk(clocks, need_ids=True)
    insert_in_bulk(
        [
            new_instance(ClockPause, clock_id=c.pk, started_at=c.paused_at)
            for c in clocks
            if c.paused_at is not None
        ]
    )
    created_at = created_at or timezone.now()
    recorded = events.insert(
        [
            clock_events.started(clock, created_at=created_at, **extra)
            for clock, extra in zip(clocks, facts, strict=True)
        ]
    )
    return clocks, recorded


def _build(
    start: Start, memo: dict[tuple[int, int, datetime], tuple[datetime, datetime]]
) -> Clock | None:
    ticket, policy, agreement = start.ticket, start.policy, start.policy.agreement
    minutes = policy.minutes(
        kind=start.kind, tier=start.tier, priority=ticket.priority, vip=ticket.is_vip
    )
    if minutes is None:
        logger.warning("agreement %s has no %s target for %s", agreement.pk, start.kind, start.tier)
        return None
    # A sweep batch starts its clocks at one instant: the business-time maths once.
    key = (agreement.pk, minutes, start.at)
    if key not in memo:
        memo[key] = deadlines(policy, started_at=start.at, minutes=minutes, paused_seconds=0)
    due, warn = memo[key]
    paused = ticket.status in pausing_statuses(agreement)
    clock = new_instance(
        Clock,
        ticket_id=ticket.pk,
        kind=start.kind,
        tier=start.tier,
        cycle=start.cycle,
        agreement_id=agreement.pk,
        target_minutes=minutes,
        started_at=start.at,
        due_at=due,
        warn_at=warn,
        paused_at=start.at if paused else None,
    )
    cache_related(clock, ticket=ticket, agreement=agreement)
    return clock


def clocks_start_for_new_tickets(*, tickets: Sequence[Ticket]) -> list[Clock]:
    """The resolution clock and the response clock of the ticket's tier for new tickets,
    counted from when each was filed, and their SLA columns. Resolved and closed tickets
    (demo backlogs) get none: nothing is owed. Without an applicable agreement (no default
    configured, by choice of the operator) a ticket has no SLA."""
    active = [t for t in tickets if t.status in Status.active()]
    if not active:
        return []
    agreements = applicable_agreements({t.organisation_id for t in active})
    policies = {org: policy_for(agreement) for org, agreement in agreements.items()}
    now = timezone.now()
    started: list[Clock] = []
    for offset in range(0, len(active), CHUNK):
        chunk = [t for t in active[offset : offset + CHUNK] if t.organisation_id in policies]
        starts = [
            Start(t, policies[t.organisation_id], kind, tier, 1, t.created_at or now)
            for t in chunk
            for kind, tier in ((ClockKind.RESOLUTION.value, ""), (ClockKind.RESPONSE.value, t.tier))
        ]
        clocks, _recorded = clocks_start(starts=starts, created_at=now)
        by_ticket: dict[int, list[Clock]] = defaultdict(list)
        for clock in clocks:
            by_ticket[clock.ticket_id].append(clock)
        tickets_sync_sla(tickets=chunk, clocks=by_ticket)
        started += clocks
    return started
