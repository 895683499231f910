"""Writing ticket rows: the core columns of a change and the columns its listeners answered.

Only the ticket services write a ticket's core columns. A change's listeners that own
other columns of the same rows (the SLA engine: deadlines, breached, paused) compute
them from the change and answer them from the signal; the service then writes both in
one UPDATE of the rows (a ticket row has many indexes, so every UPDATE of it is costly,
and a sweep batch moves a thousand at once).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common.bulk import update_in_bulk

from ..models import Ticket

# What only the ticket services write; a listener answering one of these is a bug.
CORE_COLUMNS = frozenset(
    {"tier", "assignee_id", "status", "priority", "updated_at", "resolved_at", "closed_at"}
)

Answered = dict[int, dict[str, Any]]  # ticket id → {column: value}


def answered_columns(
    responses: Sequence[tuple[Any, Any]], *, into: Answered | None = None
) -> Answered:
    """The column values a signal's receivers answered (`Signal.send`'s responses): each a
    {ticket id: {column: value}} or None. Core columns are refused. With `into`, they are
    added to the answers of an earlier signal of the same write (and it is returned)."""
    merged: Answered = {} if into is None else into
    for receiver, answer in responses:
        if not answer:
            continue
        for ticket_id, values in answer.items():
            refused = CORE_COLUMNS & values.keys()
            if refused:
                raise ValueError(f"{receiver!r} answered core ticket columns {sorted(refused)}")
            merged.setdefault(ticket_id, {}).update(values)
    return merged


def tickets_write(
    *, tickets: Sequence[Ticket], columns: Sequence[str], answered: Answered | None = None
) -> None:
    """One UPDATE of these tickets' rows: the core `columns` from the instances, plus every
    column answered for any of them (a ticket without an answer keeps its instance's
    value, so all rows set the same columns)."""
    answered = answered or {}
    extra = sorted({column for values in answered.values() for column in values} - {*columns})
    rows = []
    for ticket in tickets:
        own = answered.get(ticket.pk, {})
        values = {column: getattr(ticket, column) for column in columns}
        values |= {
            column: own[column] if column in own else getattr(ticket, column) for column in extra
        }
        rows.append((ticket.pk, values))
    update_in_bulk(Ticket, rows=rows, columns=[*columns, *extra])
