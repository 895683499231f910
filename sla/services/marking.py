"""Marking due clocks warned or breached: claimed once, under the locks of their tickets.

The sweep (escalation) marks a batch at a time; `clock_mark_warned`/`clock_mark_breached`
are the same service for one clock. Lock order is ticket → clock, as in the ticket
services (a reply racing the sweep waits instead of deadlocking): the tickets of the
clocks are locked first (SKIP LOCKED on PostgreSQL: a ticket busy elsewhere waits for
the next sweep), then their clocks are read under a row lock, and only the clocks that
are still running and due *and* whose ticket this transaction holds are claimed (a reply
that met a clock just before wins). A second worker skips the locked tickets, or, once
this transaction has committed, reads the marks and claims nothing.

Call inside a transaction. Events are built by sla.events and inserted in bulk; they
are announced (`tickets.events.announce`, webhooks listen) by the caller once the rows
the listeners read (the tickets' SLA columns) are written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from common.bulk import cache_related, fetch, is_postgres
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


def clocks_claim(
    *, clock_ids: Sequence[int], tickets: dict[int, Ticket], breach: bool, now: datetime
) -> tuple[list[Clock], dict[int, list[Clock]]]:
    """Claim the still running, due clocks among `clock_ids` of the locked `tickets`.

    All clocks of those tickets are read under a row lock (the tickets are already held by
    this transaction, and every writer of a clock holds its ticket first, so the rows are
    current); those still running (for a warning: and not warned) and due are marked
    (`breached_at`/`warned_at` = `now`) on the instances, not yet in the database: see
    `clocks_write_marks`. Returns the claimed clocks in the caller's (due) order and all
    clocks of the locked tickets by ticket, with `.ticket` set to the locked ticket.
    """
    if not clock_ids or not tickets:
        return [], {}
    by_ticket = clocks_for_tickets(list(tickets), lock=True)
    by_id = {clock.pk: clock for own in by_ticket.values() for clock in own}
    clocks = []
    # Keep the caller's (due) order: clocks of one ticket are then handled in that order.
    for pk in dict.fromkeys(clock_ids):
        clock = by_id.get(pk)
        if clock is None or not clock.is_running:
            continue
        if breach and clock.due_at <= now:
            clock.breached_at = now
        elif not breach and clock.warned_at is None and clock.warn_at <= now:
            clock.warned_at = now
        else:
            continue
        clocks.append(clock)
    for own in by_ticket.values():
        for clock in own:
            cache_related(clock, ticket=tickets[clock.ticket_id])
    return clocks, by_ticket


@dataclass
class UnwrittenMarks:
    """Marks `clocks_mark(write=False)` set on the clocks `ids` (all at `at`) but did not
    write yet; whoever writes some of them takes them off `ids`."""

    breach: bool
    at: datetime
    ids: set[int] = field(default_factory=set)

    @property
    def column(self) -> str:
        return "breached_at" if self.breach else "warned_at"


def clocks_write_marks(marks: UnwrittenMarks) -> None:
    """Write the marks still unwritten (one UPDATE)."""
    if not marks.ids:
        return
    ids, marks.ids = sorted(marks.ids), set()
    if not is_postgres():
        Clock.objects.filter(pk__in=ids).update(**{marks.column: marks.at})
        return
    table = connection.ops.quote_name(Clock._meta.db_table)
    with connection.cursor() as cursor:
        # One array parameter instead of thousands of placeholders (cheaper to send and plan).
        cursor.execute(
            f"UPDATE {table} SET {marks.column} = %s WHERE id = ANY(%s)",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(marks.at), ids],
        )


def clocks_mark(
    *,
    clock_ids: Sequence[int],
    tickets: dict[int, Ticket],
    breach: bool,
    now: datetime,
    write: bool = True,
) -> tuple[list[Clock], dict[int, list[Clock]], list]:
    """Claim the due clocks of the locked `tickets`, build CLOCK_BREACHED/WARNED for each.

    Returns the claimed clocks (with `.ticket` set to the locked ticket object), all
    clocks of the locked tickets as stored after the claim (locked; the claimed ones are
    the same objects), and the inserted events, not yet announced. The tickets' SLA
    columns are left to the caller.

    `write=False`: the marks stay on the instances, and the caller writes them before
    anything reads these clocks from the database again. A tier move that stops a claimed
    clock writes its mark with the stop (`sla.services.tier`, handed these instances and
    their `UnwrittenMarks` by `clocks_already_read`): one UPDATE of the clock instead of
    two; `clocks_write_marks` writes the others.
    """
    clocks, by_ticket = clocks_claim(clock_ids=clock_ids, tickets=tickets, breach=breach, now=now)
    if not clocks:
        return [], {}, []
    if write:
        clocks_write_marks(UnwrittenMarks(breach, now, {c.pk for c in clocks}))
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
