"""Mirror a ticket's current clocks onto its denormalised SLA columns.

This is the only code that computes Ticket.response_due_at/response_warn_at/
resolution_due_at/resolution_warn_at/next_response_due_at/next_response_warn_at/
sla_breached/sla_paused/next_due_at (`sla_columns`), so the columns and
`sla.selectors.SlaStatus` always agree with the clocks. They are written here, or, where
a ticket service changes the same rows (a tier move, a status or priority change, a reply,
an acknowledgement), answered to it and written with its change in one UPDATE:

* response columns: the latest cycle of the current tier's response clock,
  resolution columns: the latest resolution cycle, next-response columns: the latest
  next-response cycle (a customer's message awaiting an answer); each NULL once that
  clock is met or stopped (nothing owed → `met` when all are NULL);
* next_due_at: the earliest of the three deadlines (the queue's urgency order);
* sla_breached: a current clock that is still owed has breached;
* sla_paused: every owed, unbreached current clock is paused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from common.bulk import update_in_bulk

from ..models import Clock, ClockKind

if TYPE_CHECKING:
    from tickets.models import Ticket

Answered = dict[int, dict[str, Any]]  # ticket id → {SLA column: value}, for a ticket service

COLUMNS = (
    "response_due_at",
    "response_warn_at",
    "resolution_due_at",
    "resolution_warn_at",
    "next_response_due_at",
    "next_response_warn_at",
    "sla_breached",
    "sla_paused",
    "next_due_at",
)


def pick_current(*, tier: str, clocks: Iterable[Clock]) -> tuple[Clock | None, Clock | None]:
    """The response clock of `tier` and the resolution clock, latest cycles."""
    response, resolution, _answer = _latest(tier=tier, clocks=clocks)
    return response, resolution


def _latest(*, tier: str, clocks: Iterable[Clock]) -> tuple[Clock | None, ...]:
    """The latest cycles of: the response clock of `tier`, resolution, next response."""
    latest: dict[str, Clock] = {}
    for clock in clocks:
        if clock.kind == ClockKind.RESPONSE and clock.tier != tier:
            continue
        known = latest.get(clock.kind)
        if known is None or clock.cycle > known.cycle:
            latest[clock.kind] = clock
    return (
        latest.get(ClockKind.RESPONSE),
        latest.get(ClockKind.RESOLUTION),
        latest.get(ClockKind.NEXT_RESPONSE),
    )


def current_clocks(*, ticket: Ticket) -> tuple[Clock | None, Clock | None]:
    """The response clock of the ticket's current tier and the resolution clock (latest cycles)."""
    return pick_current(tier=ticket.tier, clocks=Clock.objects.filter(ticket=ticket))


def sla_columns(*, tier: str, clocks: Iterable[Clock]) -> dict[str, Any]:
    """The ticket's SLA column values for these clocks (pure)."""
    response, resolution, answer = _latest(tier=tier, clocks=clocks)
    owed = [c for c in (response, resolution, answer) if c and not c.met_at and not c.stopped_at]

    def instant(clock: Clock | None, field: str) -> datetime | None:
        return getattr(clock, field) if clock in owed else None

    unbreached = [c for c in owed if not c.breached_at]
    values = {
        "response_due_at": instant(response, "due_at"),
        "response_warn_at": instant(response, "warn_at"),
        "resolution_due_at": instant(resolution, "due_at"),
        "resolution_warn_at": instant(resolution, "warn_at"),
        "next_response_due_at": instant(answer, "due_at"),
        "next_response_warn_at": instant(answer, "warn_at"),
        "sla_breached": any(c.breached_at for c in owed),
        "sla_paused": bool(unbreached) and all(c.paused_at for c in unbreached),
    }
    return values | {"next_due_at": next_due(values)}


def next_due(values: dict[str, Any]) -> datetime | None:
    """The stored `next_due_at` for a ticket's deadline columns: the earliest one set."""
    due = (
        values.get("response_due_at"),
        values.get("resolution_due_at"),
        values.get("next_response_due_at"),
    )
    return min((instant for instant in due if instant is not None), default=None)


def tickets_sla_columns(*, tickets: Sequence[Ticket], clocks: dict[int, list[Clock]]) -> Answered:
    """The SLA column values of these tickets for their clocks (all clocks of each ticket,
    by ticket id), by ticket id; set on the instances too. For a ticket service that writes
    them with its own change of the rows (the SLA receivers answer them from its signal)."""
    columns = {}
    for ticket in tickets:
        values = sla_columns(tier=ticket.tier, clocks=clocks.get(ticket.pk, []))
        for field, value in values.items():
            setattr(ticket, field, value)
        columns[ticket.pk] = values
    return columns


def tickets_sync_sla(
    *,
    tickets: Sequence[Ticket],
    clocks: dict[int, list[Clock]] | None = None,
) -> None:
    """Mirror the clocks onto the SLA columns of these tickets: one read of their clocks
    (unless given: all clocks of each ticket, by ticket id), one write."""
    if not tickets:
        return
    if clocks is None:
        from .marking import clocks_for_tickets  # marking imports this module

        clocks = clocks_for_tickets([t.pk for t in tickets], lock=False)
    write_columns(rows=list(tickets_sla_columns(tickets=tickets, clocks=clocks).items()))


def sync_ticket_sla(*, ticket: Ticket, clocks: Iterable[Clock] | None = None) -> None:
    """`tickets_sync_sla` for one ticket; pass `clocks` (all of its clocks) to save the read."""
    if clocks is None:
        clocks = Clock.objects.filter(ticket=ticket)
    tickets_sync_sla(tickets=[ticket], clocks={ticket.pk: list(clocks)})


def write_columns(*, rows: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Set the SLA columns of many tickets, each (ticket id, `sla_columns` values)."""
    from tickets.models import Ticket

    update_in_bulk(Ticket, rows=rows, columns=COLUMNS)
