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

from django.db import connection, transaction

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
    """Set the SLA columns of many tickets. On PostgreSQL: COPY into a temporary table and
    one UPDATE … FROM it (bulk_update's CASE chains get slow at thousands of rows)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor != "postgresql":
        # SQLite and others: one prepared UPDATE per row via executemany is linear,
        # where bulk_update's CASE chains are quadratic.
        adapt = connection.ops.adapt_datetimefield_value
        params = [
            [
                *(adapt(values[column]) for column in COLUMNS[:4]),
                values["sla_breached"],
                values["sla_paused"],
                pk,
            ]
            for pk, values in rows
        ]
        sets = ", ".join(f"{column} = %s" for column in COLUMNS)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", params)  # noqa: S608
        return
    # The temporary table lives until the end of the transaction (ON COMMIT DROP).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS sla_bulk_columns (id bigint PRIMARY KEY, "
            "response_due_at timestamptz, response_warn_at timestamptz, "
            "resolution_due_at timestamptz, resolution_warn_at timestamptz, "
            "sla_breached boolean, sla_paused boolean) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE sla_bulk_columns")
        with cursor.cursor.copy(
            f"COPY sla_bulk_columns (id, {', '.join(COLUMNS)}) FROM STDIN"
        ) as copy:
            for pk, values in rows:
                copy.write_row((pk, *(values[column] for column in COLUMNS)))
        sets = ", ".join(f"{column} = v.{column}" for column in COLUMNS)
        cursor.execute(
            f"UPDATE {table} AS t SET {sets} FROM sla_bulk_columns AS v "  # noqa: S608
            "WHERE t.id = v.id"
        )
