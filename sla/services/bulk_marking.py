"""Marking a batch of clocks warned or breached at once: the set-based form of marking.py.

The same guarantees as `clock_mark_breached` / `clock_mark_warned`, per batch:

- lock order ticket → clock: `tickets_lock_for_clocks` locks the batch's ticket
  rows first (SKIP LOCKED on PostgreSQL: a ticket a reply is writing right now is
  left, with its clocks, for the next sweep), so a reply racing the sweep waits
  or is passed over, never deadlocks;
- exactly once: one conditional `UPDATE … RETURNING` claims the clocks that are
  still running and due *and* whose ticket this transaction holds; only the
  returned clocks are acted on (a reply that met a clock just before wins).

Call inside the batch's transaction. Events are inserted in bulk (COPY on
PostgreSQL) and announced with `tickets.signals.ticket_events_bulk_recorded`
(bulk inserts send no `post_save`), so listeners of ticket events (webhooks of
SLA warnings, breaches and escalations) see them all the same, once per batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone

from tickets import signals
from tickets.models import EventKind, Ticket, TicketEvent

from ..models import Agreement, Clock
from .bulk_insert import insert_in_bulk, new_instance
from .marking import _clock_facts

M = TypeVar("M", bound=Model)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _fast_timestamps() -> bool:
    """Whether psycopg's own (C) timestamptz loader gives exactly what Django's gives: the
    session and Django both on UTC, so both return datetimes with `timezone.utc`."""
    if not _is_postgres():
        return False
    connection.ensure_connection()
    return (
        connection.timezone is UTC
        and connection.connection.info.parameter_status("TimeZone") == "UTC"
    )


def _fetch(queryset: QuerySet[M], *, skip: frozenset[str] = frozenset()) -> list[M]:
    """The instances of a plain model queryset (filters, order, locking kept), fields in
    `skip` deferred. On PostgreSQL the rows are read with psycopg's C timestamp loader
    (Django's own loader is Python, and a batch loads ~15,000 timestamps); the models read
    this way have no field that converts values from the database."""
    model = queryset.model
    names = [f.attname for f in model._meta.concrete_fields if f.name not in skip]
    if not _fast_timestamps():
        return list(queryset.defer(*skip) if skip else queryset)
    sql, params = queryset.values_list(*names).query.sql_with_params()
    alias = connection.alias
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.adapters.register_loader("timestamptz", _timestamptz_loader())
        cursor.execute(sql, params)
        rows = raw.fetchall()
    return [model.from_db(alias, names, row) for row in rows]


def _timestamptz_loader() -> Any:
    import psycopg  # PostgreSQL only: the embedded (SQLite) setup may run without it

    return psycopg.adapters.get_loader(
        psycopg.adapters.types["timestamptz"].oid, psycopg.pq.Format.TEXT
    )


def new_event(ticket: Ticket, **fields: Any) -> TicketEvent:
    """An unsaved event of `ticket`; by id, with the ticket cached for listeners (setting
    `ticket=` costs a descriptor check per row, and a drain builds 400,000 of these)."""
    event = new_instance(TicketEvent, ticket_id=ticket.pk, **fields)
    event._state.fields_cache["ticket"] = ticket
    return event


def attach_ticket(clock: Clock, ticket: Ticket) -> None:
    """`clock.ticket = ticket` for the clock's own ticket (same id): the cache only, without
    the descriptor's checks (a batch attaches ~15,000)."""
    clock._state.fields_cache["ticket"] = ticket


def events_record_in_bulk(
    events: Sequence[TicketEvent], *, announce: bool = True
) -> list[TicketEvent]:
    """Insert events in bulk and announce them (`ticket_events_bulk_recorded`), as
    `post_save` would one by one. `announce=False` leaves that to the caller, who
    then calls `events_announce` once the rows those listeners read are written."""
    created = insert_in_bulk(events)
    if announce:
        events_announce(created)
    return created


def events_announce(events: Sequence[TicketEvent]) -> None:
    if events:
        signals.ticket_events_bulk_recorded.send(sender=TicketEvent, events=list(events))


def tickets_lock_for_clocks(*, clock_ids: Sequence[int]) -> dict[int, Ticket]:
    """Lock the tickets of these clocks (skipping tickets locked elsewhere, on PostgreSQL).

    Returns the locked tickets by id, with requester and assignee attached for the rules
    (read once per person, not once per ticket).
    """
    tickets = Ticket.objects.filter(
        pk__in=Clock.objects.filter(pk__in=list(clock_ids)).values("ticket_id")
    )
    if _is_postgres():
        tickets = tickets.select_for_update(skip_locked=True)
    else:
        tickets = tickets.select_for_update()
    locked = {ticket.pk: ticket for ticket in _fetch(tickets, skip=frozenset({"description"}))}
    people = {t.requester_id for t in locked.values()}
    people |= {t.assignee_id for t in locked.values() if t.assignee_id is not None}
    users = get_user_model().objects.in_bulk(people)
    for ticket in locked.values():
        cache = ticket._state.fields_cache
        cache["requester"] = users[ticket.requester_id]
        cache["assignee"] = users[ticket.assignee_id] if ticket.assignee_id else None
    return locked


def clocks_for_tickets(ticket_ids: Iterable[int], *, lock: bool) -> dict[int, list[Clock]]:
    """All clocks of these tickets by ticket, in start order (locked FOR UPDATE if `lock`),
    with their agreement (and its calendar) read once per agreement."""
    clocks = Clock.objects.filter(ticket_id__in=list(ticket_ids)).order_by("started_at", "id")
    if lock:
        clocks = clocks.select_for_update()
    rows = _fetch(clocks)
    if lock:
        ids = {c.agreement_id for c in rows if c.agreement_id is not None}
        agreements = Agreement.objects.select_related("calendar").in_bulk(ids)
        for clock in rows:
            if clock.agreement_id is not None:
                clock.agreement = agreements[clock.agreement_id]
    grouped: dict[int, list[Clock]] = defaultdict(list)
    for clock in rows:
        grouped[clock.ticket_id].append(clock)
    return grouped


def clocks_claim_in_bulk(
    *, clock_ids: Sequence[int], ticket_ids: Sequence[int], breach: bool, now: datetime
) -> list[tuple[int, int]]:
    """Mark the still running, due clocks among `clock_ids` of the locked tickets;
    returns (clock id, ticket id) of each clock this call marked."""
    if not clock_ids or not ticket_ids:
        return []
    table = connection.ops.quote_name(Clock._meta.db_table)
    if breach:
        mark, instant, extra = "breached_at", "due_at", ""
    else:
        mark, instant, extra = "warned_at", "warn_at", " AND warned_at IS NULL"
    moment = connection.ops.adapt_datetimefield_value(now)
    if _is_postgres():
        # Two array parameters instead of thousands of placeholders (cheaper to send and plan).
        clocks_in, tickets_in = "= ANY(%s)", "= ANY(%s)"
        params: list[Any] = [moment, list(clock_ids), list(ticket_ids), moment]
    else:
        clocks_in = "IN ({})".format(", ".join(["%s"] * len(clock_ids)))
        tickets_in = "IN ({})".format(", ".join(["%s"] * len(ticket_ids)))
        params = [moment, *clock_ids, *ticket_ids, moment]
    sql = (
        f"UPDATE {table} SET {mark} = %s "  # noqa: S608 - names are ours, values are params
        f"WHERE id {clocks_in} AND ticket_id {tickets_in} "
        "AND met_at IS NULL AND breached_at IS NULL AND paused_at IS NULL "
        f"AND stopped_at IS NULL{extra} AND {instant} <= %s RETURNING id, ticket_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        claimed = dict(cursor.fetchall())
    # Keep the caller's (due) order: clocks of one ticket are then handled in that order.
    return [(pk, claimed[pk]) for pk in clock_ids if pk in claimed]


def clocks_mark_in_bulk(
    *, clock_ids: Sequence[int], tickets: dict[int, Ticket], breach: bool, now: datetime
) -> tuple[list[Clock], dict[int, list[Clock]]]:
    """Claim the due clocks of the locked `tickets`, record CLOCK_BREACHED/WARNED for each.

    Returns the claimed clocks (with `.ticket` set to the locked ticket object) and all
    clocks of their tickets, as stored after the claim (locked; the claimed ones are
    the same objects). The ticket SLA columns are left to the caller.
    """
    claimed = clocks_claim_in_bulk(
        clock_ids=clock_ids, ticket_ids=list(tickets), breach=breach, now=now
    )
    if not claimed:
        return [], {}
    by_ticket = clocks_for_tickets({ticket_id for _pk, ticket_id in claimed}, lock=True)
    by_id = {clock.pk: clock for own in by_ticket.values() for clock in own}
    clocks = [by_id[pk] for pk, _ticket_id in claimed]
    kind = EventKind.CLOCK_BREACHED if breach else EventKind.CLOCK_WARNED
    created_at = timezone.now()
    for own in by_ticket.values():
        for clock in own:
            attach_ticket(clock, tickets[clock.ticket_id])
    events_record_in_bulk(
        [
            new_event(
                clock.ticket,
                kind=kind,
                actor=None,
                before={},
                after=_clock_facts(clock),
                internal=False,
                created_at=created_at,
            )
            for clock in clocks
        ]
    )
    return clocks, by_ticket
