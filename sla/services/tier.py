"""Clocks of tickets that changed tier, and the SLA columns of many tickets.

Per ticket: the unmet response clock of the tier left is stopped, a response clock of
the tier entered starts as the next cycle (sla.services.starting: paused at once if the
ticket waits on the customer; its CLOCK_STARTED event names the clocks it replaces),
and the ticket's SLA columns are rewritten. One ticket or a sweep batch of a thousand
cost the same fixed number of queries. Call with the tickets locked (ticket → clock
lock order, see marking.py).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from ..models import Clock, ClockKind
from .clocks import Closing, clock_policy, close_pauses, finish, save_clocks, ticket_policies
from .deadlines import is_open
from .marking import clocks_for_tickets
from .starting import Start, clocks_start
from .sync import tickets_sla_columns

if TYPE_CHECKING:
    from tickets.models import Ticket as TicketType

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


def clocks_change_tier(
    *,
    changes: Sequence[tuple[TicketType, str, str]],
    now: datetime | None = None,
) -> dict[int, dict[str, Any]]:
    """For each (ticket, before, after): stop `before`'s open response clock, start `after`'s.

    The tickets already carry their new tier; their rows are written by the tier-move
    service, which this answers with the tickets' new SLA column values (by ticket id), so
    it writes them with the move. The clocks' CLOCK_STARTED events are inserted here.
    """
    if not changes:
        return {}
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
    unpaused_stops: list[Clock] = []
    starts: list[Start] = []
    for ticket, before, after in changes:
        policy = policies.get(ticket.pk)
        if policy is None:
            continue  # no agreement: no SLA for this ticket
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
                    unpaused_stops.append(clock)
        cycle = 1 + max(
            (c.cycle for c in own if c.kind == ClockKind.RESPONSE and c.tier == after), default=0
        )
        starts.append(
            Start(ticket, policy, ClockKind.RESPONSE.value, after, cycle, now, {"replaces": ended})
        )
    if unpaused_stops:
        # Running or breached clocks only get `stopped_at` (and the sweep's mark, if it has
        # just claimed them: `clocks_already_read`): one UPDATE for the batch.
        _stop(unpaused_stops, now)
    if stopped:
        # A paused clock also closes its pause and moves its deadlines (rare).
        close_pauses(closing, now)
        save_clocks(stopped)
    for clock in clocks_start(starts=starts)[0]:
        clocks[clock.ticket_id].append(clock)
    return tickets_sla_columns(tickets=tickets, clocks=clocks)


def _stop(clocks: list[Clock], now: datetime) -> None:
    """Write `stopped_at` and the marks (breached, warned) as the instances hold them: the
    marks of clocks the sweep claimed in this transaction are written with the stop."""
    if connection.vendor != "postgresql":
        # One UPDATE per distinct pair of marks (one, nearly always).
        groups: dict[tuple, list[int]] = {}
        for c in clocks:
            groups.setdefault((c.breached_at, c.warned_at), []).append(c.pk)
        for (breached_at, warned_at), ids in groups.items():
            Clock.objects.filter(pk__in=ids).update(
                stopped_at=now, breached_at=breached_at, warned_at=warned_at
            )
        return
    # Array parameters instead of thousands of placeholders (cheaper to build and plan).
    table = connection.ops.quote_name(Clock._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS c SET stopped_at = %s, breached_at = v.breached_at, "  # noqa: S608
            "warned_at = v.warned_at FROM unnest(%s::bigint[], %s::timestamptz[], "
            "%s::timestamptz[]) AS v(id, breached_at, warned_at) WHERE c.id = v.id",
            [
                connection.ops.adapt_datetimefield_value(now),
                [c.pk for c in clocks],
                [c.breached_at for c in clocks],
                [c.warned_at for c in clocks],
            ],
        )
