"""Clocks for tickets inserted in bulk (demo backlogs, benchmarks), without per-row work.

One query for the agreements, cached calendars and targets, then plain rows
written in bulk (common.bulk: COPY on PostgreSQL): clocks, their pauses, their
start events (sla.events) and the tickets' SLA columns. Resolved and closed tickets
get no clocks (nothing is owed); tickets waiting on the customer start paused, with a
ledger row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from django.db import transaction
from django.utils import timezone

from common.bulk import cache_related, insert_in_bulk, new_instance
from tickets import events
from tickets.models import Status

from .. import events as clock_events
from ..models import Clock, ClockKind, ClockPause
from ..policies import Policy, applicable_agreements, policy_for
from .deadlines import deadlines, pausing_statuses
from .sync import next_due, write_columns

if TYPE_CHECKING:
    from tickets.models import Ticket

BATCH = 5000


class _Row(NamedTuple):
    ticket_id: int
    kind: str
    tier: str
    agreement_id: int
    minutes: int
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    paused_at: datetime | None


def clocks_create_in_bulk(*, tickets: Sequence[Ticket]) -> int:
    """Create the resolution and response clocks of freshly inserted tickets; returns count."""
    active = [t for t in tickets if t.status in Status.active()]
    if not active:
        return 0
    agreements = applicable_agreements({t.organisation_id for t in active})
    policies: dict[int | None, Policy] = {
        org: policy_for(agreement) for org, agreement in agreements.items()
    }
    now = timezone.now()
    rows: list[_Row] = []
    columns = []
    for ticket in active:
        policy = policies.get(ticket.organisation_id)
        if policy is None:
            continue
        start = ticket.created_at or now
        paused_at = start if ticket.status in pausing_statuses(policy.agreement) else None
        values: dict = {"sla_breached": False, "sla_paused": paused_at is not None}
        for kind, tier, prefix in (
            (ClockKind.RESOLUTION.value, "", "resolution"),
            (ClockKind.RESPONSE.value, ticket.tier, "response"),
        ):
            minutes = policy.minutes(
                kind=kind, tier=tier, priority=ticket.priority, vip=ticket.is_vip
            )
            if minutes is None:
                values |= {f"{prefix}_due_at": None, f"{prefix}_warn_at": None}
                continue
            due, warn = deadlines(policy, started_at=start, minutes=minutes, paused_seconds=0)
            rows.append(
                _Row(
                    ticket.pk, kind, tier, policy.agreement.pk, minutes, start, due, warn, paused_at
                )
            )
            values |= {f"{prefix}_due_at": due, f"{prefix}_warn_at": warn}
        columns.append((ticket.pk, values | {"next_due_at": next_due(values)}))
    by_id = {ticket.pk: ticket for ticket in active}
    with transaction.atomic():
        for offset in range(0, len(rows), BATCH):
            _insert_clocks(rows[offset : offset + BATCH], tickets=by_id, now=now)
        write_columns(rows=columns)
    return len(rows)


def _insert_clocks(rows: list[_Row], *, tickets: dict[int, Ticket], now: datetime) -> None:
    clocks = [
        new_instance(
            Clock,
            ticket_id=r.ticket_id,
            kind=r.kind,
            tier=r.tier,
            cycle=1,
            agreement_id=r.agreement_id,
            target_minutes=r.minutes,
            started_at=r.started_at,
            due_at=r.due_at,
            warn_at=r.warn_at,
            paused_at=r.paused_at,
        )
        for r in rows
    ]
    insert_in_bulk(clocks, need_ids=True)
    insert_in_bulk(
        [
            new_instance(ClockPause, clock_id=c.pk, started_at=c.paused_at)
            for c in clocks
            if c.paused_at
        ]
    )
    for clock in clocks:
        cache_related(clock, ticket=tickets[clock.ticket_id])
    events.insert([clock_events.started(clock, created_at=now) for clock in clocks])
