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
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, transaction
from django.db.models import Field

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
    *,
    model: type[Ticket],
    rows: Sequence[tuple[int, dict[str, Any]]],
    also: Sequence[str] = (),
) -> None:
    """Set the SLA columns of many tickets, and the columns named in `also` (attnames whose
    values every row carries too: the escalation sweep writes a tier move's `tier`,
    `updated_at` and `assignee_id` in the same UPDATE). On PostgreSQL: COPY into a
    temporary table and one UPDATE … FROM it (bulk_update's CASE chains get slow at
    thousands of rows)."""
    if not rows:
        return
    columns = (*COLUMNS, *also)
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor != "postgresql":
        # SQLite and others: one prepared UPDATE per row via executemany is linear,
        # where bulk_update's CASE chains are quadratic.
        fields = [cast(Field, model._meta.get_field(name)) for name in columns]
        adapt = [
            connection.ops.adapt_datetimefield_value
            if field.get_internal_type() == "DateTimeField"
            else None
            for field in fields
        ]
        params = [
            [
                values[column] if to_db is None else to_db(values[column])
                for column, to_db in zip(columns, adapt, strict=True)
            ]
            + [pk]
            for pk, values in rows
        ]
        sets = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", params)  # noqa: S608
        return
    # The temporary table lives until the end of the transaction (ON COMMIT DROP); one
    # per column set (the sweep writes both kinds in one transaction).
    fields = [cast(Field, model._meta.get_field(name)) for name in columns]
    quoted = [connection.ops.quote_name(field.column) for field in fields]
    temp = "sla_bulk_columns" if not also else "sla_bulk_columns_" + "_".join(also)
    definitions = ", ".join(
        f"{name} {field.db_type(connection)}" for name, field in zip(quoted, fields, strict=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {temp} (id bigint PRIMARY KEY, "
            f"{definitions}) ON COMMIT DROP"
        )
        cursor.execute(f"TRUNCATE {temp}")
        with cursor.cursor.copy(f"COPY {temp} (id, {', '.join(quoted)}) FROM STDIN") as copy:
            for pk, values in rows:
                copy.write_row((pk, *(values[column] for column in columns)))
        sets = ", ".join(f"{name} = v.{name}" for name in quoted)
        cursor.execute(
            f"UPDATE {table} AS t SET {sets} FROM {temp} AS v "  # noqa: S608
            "WHERE t.id = v.id"
        )
