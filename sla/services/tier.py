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
from django.db.models import Case, F, Value, When
from django.utils import timezone

from ..models import Clock, ClockKind
from .clocks import Closing, clock_policy, close_pauses, finish, save_clocks, ticket_policies
from .deadlines import is_open
from .marking import UnwrittenMarks, clocks_for_tickets
from .starting import Start, clocks_start
from .sync import tickets_sla_columns

if TYPE_CHECKING:
    from tickets.models import Ticket as TicketType

logger = logging.getLogger(__name__)

_already_read: contextvars.ContextVar[
    tuple[dict[int, list[Clock]], UnwrittenMarks | None] | None
] = contextvars.ContextVar("clocks_already_read", default=None)


@contextlib.contextmanager
def clocks_already_read(
    clocks: dict[int, list[Clock]], marks: UnwrittenMarks | None = None
) -> Iterator[None]:
    """Within the block, tier moves of these tickets use `clocks` (all clocks of each ticket
    by ticket id, current and locked in this transaction, e.g. as the sweep's claim read
    them) instead of reading them again; a clock among the unwritten `marks` that a move
    stops has its mark written with the stop (and taken off `marks`)."""
    token = _already_read.set((clocks, marks))
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
    known, marks = _already_read.get() or ({}, None)
    if known and all(t.pk in known for t in tickets):
        clocks = {t.pk: known[t.pk] for t in tickets}
    else:
        clocks, marks = clocks_for_tickets([t.pk for t in tickets], lock=True), None
    policies = ticket_policies(tickets, clocks)
    stopped: list[Clock] = []
    closing: Closing = []
    unpaused_stops: list[int] = []
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
                    unpaused_stops.append(clock.pk)
        cycle = 1 + max(
            (c.cycle for c in own if c.kind == ClockKind.RESPONSE and c.tier == after), default=0
        )
        starts.append(
            Start(ticket, policy, ClockKind.RESPONSE.value, after, cycle, now, {"replaces": ended})
        )
    if unpaused_stops:
        # Running or breached clocks only get `stopped_at` (and the sweep's mark, if it has
        # just claimed them: `clocks_already_read`): one UPDATE for the batch.
        _stop(unpaused_stops, now, marks)
    if stopped:
        # A paused clock also closes its pause and moves its deadlines (rare).
        close_pauses(closing, now)
        save_clocks(stopped)
    for clock in clocks_start(starts=starts)[0]:
        clocks[clock.ticket_id].append(clock)
    return tickets_sla_columns(tickets=tickets, clocks=clocks)


def _stop(ids: list[int], now: datetime, marks: UnwrittenMarks | None) -> None:
    """`stopped_at` of these clocks, and the unwritten marks of those among them."""
    marked = sorted(marks.ids.intersection(ids)) if marks is not None else []
    if connection.vendor != "postgresql":
        values: dict[str, Any] = {"stopped_at": now}
        if marks is not None and marked:
            column = marks.column
            values[column] = Case(When(pk__in=marked, then=Value(marks.at)), default=F(column))
        Clock.objects.filter(pk__in=ids).update(**values)
    else:
        # Array parameters instead of thousands of placeholders (cheaper to build and plan).
        table = connection.ops.quote_name(Clock._meta.db_table)
        adapt = connection.ops.adapt_datetimefield_value
        sets = "stopped_at = %s"
        params: list[Any] = [adapt(now)]
        if marks is not None and marked:
            column = marks.column
            sets += f", {column} = CASE WHEN id = ANY(%s) THEN %s ELSE {column} END"
            params += [marked, adapt(marks.at)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {sets} WHERE id = ANY(%s)",  # noqa: S608
                [*params, ids],
            )
    if marks is not None:
        marks.ids.difference_update(marked)
