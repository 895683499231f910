"""Marking due clocks warned or breached: claimed once, by one conditional UPDATE … RETURNING.

The sweep (escalation) marks a batch at a time; `clock_mark_warned`/`clock_mark_breached`
are the same service for one clock. Lock order is ticket → clock, as in the ticket
services (a reply racing the sweep waits instead of deadlocking): the tickets of the
clocks are locked first (SKIP LOCKED on PostgreSQL: a ticket busy elsewhere waits for
the next sweep), then only the clocks that are still running and due *and* whose
ticket this transaction holds are claimed; only the returned clocks are acted on (a
reply that met a clock just before wins).

Call inside a transaction. Events are built by sla.events and inserted in bulk; they
are announced (`tickets.events.announce`, webhooks listen) by the caller once the rows
the listeners read (the tickets' SLA columns) are written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from common.bulk import cache_related, fetch, is_postgres, where_sql
from tickets import events
from tickets.models import Ticket

from .. import events as clock_events
from ..models import Agreement, Clock
from .sync import tickets_sync_sla


def tickets_lock_for_clocks(*, clock_ids: Sequence[int]) -> dict[int, Ticket]:
    """Lock the tickets of these clocks (skipping tickets locked elsewhere, on PostgreSQL).

    Returns the locked tickets by id, with requester and assignee attached for the rules
    (read once per person, not once per ticket).
    """
    tickets = Ticket.objects.filter(
        pk__in=Clock.objects.filter(pk__in=list(clock_ids)).values("ticket_id")
    )
    if is_postgres():
        tickets = tickets.select_for_update(skip_locked=True)
    else:
        tickets = tickets.select_for_update()
    locked = {ticket.pk: ticket for ticket in fetch(tickets, skip=frozenset({"description"}))}
    people = {t.requester_id for t in locked.values()}
    people |= {t.assignee_id for t in locked.values() if t.assignee_id is not None}
    users = get_user_model().objects.in_bulk(people)
    for ticket in locked.values():
        cache_related(
            ticket,
            requester=users[ticket.requester_id],
            assignee=users[ticket.assignee_id] if ticket.assignee_id else None,
        )
    return locked


def clocks_for_tickets(ticket_ids: Iterable[int], *, lock: bool) -> dict[int, list[Clock]]:
    """All clocks of these tickets by ticket, in start order (locked FOR UPDATE if `lock`),
    with their agreement (and its calendar) when locked: joined for one ticket (one query),
    else read once per agreement (a batch's clocks share a handful)."""
    ids = list(ticket_ids)
    clocks = Clock.objects.filter(ticket_id__in=ids).order_by("started_at", "id")
    if lock and len(ids) == 1:
        rows = list(clocks.select_related("agreement__calendar").select_for_update(of=("self",)))
    elif lock:
        rows = fetch(clocks.select_for_update())
    else:
        rows = fetch(clocks)
    if lock and len(ids) > 1:
        used = {c.agreement_id for c in rows if c.agreement_id is not None}
        agreements = Agreement.objects.select_related("calendar").in_bulk(used)
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
        mark, instant, due = "breached_at", "due_at", Clock.objects.running()
    else:
        mark, instant, due = "warned_at", "warn_at", Clock.objects.warnable()
    # Still running (and not warned) exactly as the sweep's partial indexes define it.
    running, running_params = where_sql(due)
    moment = connection.ops.adapt_datetimefield_value(now)
    if is_postgres():
        # Two array parameters instead of thousands of placeholders (cheaper to send and plan).
        clocks_in, tickets_in = "= ANY(%s)", "= ANY(%s)"
        params: list[Any] = [moment, list(clock_ids), list(ticket_ids)]
    else:
        clocks_in = "IN ({})".format(", ".join(["%s"] * len(clock_ids)))
        tickets_in = "IN ({})".format(", ".join(["%s"] * len(ticket_ids)))
        params = [moment, *clock_ids, *ticket_ids]
    params += [*running_params, moment]
    sql = (
        f"UPDATE {table} SET {mark} = %s "  # noqa: S608 - names are ours, values are params
        f"WHERE id {clocks_in} AND ticket_id {tickets_in} "
        f"AND {running} AND {instant} <= %s RETURNING id, ticket_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        claimed = dict(cursor.fetchall())
    # Keep the caller's (due) order: clocks of one ticket are then handled in that order.
    return [(pk, claimed[pk]) for pk in clock_ids if pk in claimed]


def clocks_mark(
    *, clock_ids: Sequence[int], tickets: dict[int, Ticket], breach: bool, now: datetime
) -> tuple[list[Clock], dict[int, list[Clock]], list]:
    """Claim the due clocks of the locked `tickets`, build CLOCK_BREACHED/WARNED for each.

    Returns the claimed clocks (with `.ticket` set to the locked ticket object), all
    clocks of their tickets as stored after the claim (locked; the claimed ones are the
    same objects), and the inserted events, not yet announced. The tickets' SLA columns
    are left to the caller.
    """
    claimed = clocks_claim_in_bulk(
        clock_ids=clock_ids, ticket_ids=list(tickets), breach=breach, now=now
    )
    if not claimed:
        return [], {}, []
    by_ticket = clocks_for_tickets({ticket_id for _pk, ticket_id in claimed}, lock=True)
    by_id = {clock.pk: clock for own in by_ticket.values() for clock in own}
    clocks = [by_id[pk] for pk, _ticket_id in claimed]
    for own in by_ticket.values():
        for clock in own:
            cache_related(clock, ticket=tickets[clock.ticket_id])
    build = clock_events.breached if breach else clock_events.warned
    recorded = events.insert([build(clock=clock) for clock in clocks])
    return clocks, by_ticket, recorded


def _mark_one(*, clock_id: int, breach: bool, now: datetime | None) -> Clock | None:
    now = now or timezone.now()
    with transaction.atomic():
        tickets = tickets_lock_for_clocks(clock_ids=[clock_id])
        clocks, stored, recorded = clocks_mark(
            clock_ids=[clock_id], tickets=tickets, breach=breach, now=now
        )
        if not clocks:
            return None
        tickets_sync_sla(tickets=list(tickets.values()), clocks=stored)
        events.announce(recorded)
    return clocks[0]


def clock_mark_warned(*, clock_id: int, now: datetime | None = None) -> Clock | None:
    """`clocks_mark` for one clock, with the ticket's SLA columns: the clock, or None if it
    was no longer running and due."""
    return _mark_one(clock_id=clock_id, breach=False, now=now)


def clock_mark_breached(*, clock_id: int, now: datetime | None = None) -> Clock | None:
    return _mark_one(clock_id=clock_id, breach=True, now=now)
