"""Mirror a ticket's current clocks onto its denormalised SLA columns.

This is the only code that writes Ticket.response_due_at/response_warn_at/
resolution_due_at/resolution_warn_at/sla_breached/sla_paused, so the columns
and `sla.selectors.SlaStatus` always agree with the clocks:

* response columns: the latest cycle of the current tier's response clock,
  resolution columns: the latest resolution cycle; both NULL once that clock
  is met or stopped (nothing owed → `met` when both are NULL);
* sla_breached: a current clock that is still owed has breached;
* sla_paused: every owed, unbreached current clock is paused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection

from ..models import Clock, ClockKind

if TYPE_CHECKING:
    from tickets.models import Ticket

COLUMNS = (
    "response_due_at",
    "response_warn_at",
    "resolution_due_at",
    "resolution_warn_at",
    "sla_breached",
    "sla_paused",
)


def pick_current(*, tier: str, clocks: Iterable[Clock]) -> tuple[Clock | None, Clock | None]:
    """The response clock of `tier` and the resolution clock, latest cycles."""
    response = resolution = None
    for clock in clocks:
        if clock.kind == ClockKind.RESPONSE:
            if clock.tier == tier and (response is None or clock.cycle > response.cycle):
                response = clock
        elif resolution is None or clock.cycle > resolution.cycle:
            resolution = clock
    return response, resolution


def current_clocks(*, ticket: Ticket) -> tuple[Clock | None, Clock | None]:
    """The response clock of the ticket's current tier and the resolution clock (latest cycles)."""
    return pick_current(tier=ticket.tier, clocks=Clock.objects.filter(ticket=ticket))


def sla_columns(*, tier: str, clocks: Iterable[Clock]) -> dict[str, Any]:
    """The ticket's SLA column values for these clocks (pure)."""
    response, resolution = pick_current(tier=tier, clocks=clocks)
    owed = [c for c in (response, resolution) if c and not c.met_at and not c.stopped_at]

    def instant(clock: Clock | None, field: str) -> datetime | None:
        return getattr(clock, field) if clock in owed else None

    unbreached = [c for c in owed if not c.breached_at]
    return {
        "response_due_at": instant(response, "due_at"),
        "response_warn_at": instant(response, "warn_at"),
        "resolution_due_at": instant(resolution, "due_at"),
        "resolution_warn_at": instant(resolution, "warn_at"),
        "sla_breached": any(c.breached_at for c in owed),
        "sla_paused": bool(unbreached) and all(c.paused_at for c in unbreached),
    }


def sync_ticket_sla(*, ticket: Ticket, clocks: Iterable[Clock] | None = None) -> None:
    """Copy due/warn instants and breached/paused flags from the clocks to the ticket row.

    Pass `clocks` (all of the ticket's clocks, current state) to save the query.
    """
    if clocks is None:
        clocks = Clock.objects.filter(ticket=ticket)
    values = sla_columns(tier=ticket.tier, clocks=clocks)
    for field, value in values.items():
        setattr(ticket, field, value)
    type(ticket).objects.filter(pk=ticket.pk).update(**values)


def write_columns_in_bulk(
    *, model: type[Ticket], rows: Sequence[tuple[int, dict[str, Any]]]
) -> None:
    """Set the SLA columns of many tickets: one UPDATE … FROM (VALUES …) per chunk on
    PostgreSQL (bulk_update's CASE chains get slow at thousands of rows)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        tickets = []
        for pk, values in rows:
            ticket = model(pk=pk, **values)
            tickets.append(ticket)
        model.objects.bulk_update(tickets, list(COLUMNS), batch_size=500)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    chunk = 2000
    with connection.cursor() as cursor:
        for first in range(0, len(rows), chunk):
            part = rows[first : first + chunk]
            placeholders = ", ".join(
                [
                    "(%s::bigint, %s::timestamptz, %s::timestamptz, %s::timestamptz, "
                    "%s::timestamptz, %s::boolean, %s::boolean)"
                ]
                * len(part)
            )
            params: list[Any] = []
            for pk, values in part:
                params.append(pk)
                params.extend(values[column] for column in COLUMNS)
            sets = ", ".join(f"{column} = v.{column}" for column in COLUMNS)
            cursor.execute(
                f"UPDATE {table} AS t SET {sets} FROM (VALUES {placeholders}) "  # noqa: S608
                f"AS v(id, {', '.join(COLUMNS)}) WHERE t.id = v.id",
                params,
            )
