"""Ending clocks that are no longer owed at all (a duplicate merged into its original).

Unlike resolving or closing late, stopping never records a breach: the work is
owed on the original ticket, whose own clocks keep running.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from tickets import events

from .. import events as clock_events
from ..models import Clock, ClockPause
from .sync import tickets_sync_sla

if TYPE_CHECKING:
    from tickets.models import Ticket


def clocks_stop(*, tickets: Sequence[Ticket], reason: str) -> list[Clock]:
    """Stop every open clock of `tickets` without a breach; returns the stopped clocks.

    Call inside the transaction that locked the tickets. A clock already marked
    breached keeps that breach (it happened); an overdue one not yet marked is not
    breached now. Writes one `clock_stopped` event per clock and the ticket columns.
    """
    by_id = {ticket.pk: ticket for ticket in tickets}
    if not by_id:
        return []
    now = timezone.now()
    clocks = list(
        Clock.objects.filter(ticket_id__in=by_id)
        .select_for_update(of=("self",))
        .order_by("ticket_id", "started_at", "id")
    )
    stopping = [c for c in clocks if c.met_at is None and c.stopped_at is None]
    if stopping:
        ids = [c.pk for c in stopping]
        ClockPause.objects.filter(clock_id__in=ids, ended_at__isnull=True).update(ended_at=now)
        Clock.objects.filter(pk__in=ids).update(stopped_at=now, paused_at=None)
        for clock in stopping:
            clock.stopped_at, clock.paused_at = now, None
        events.insert(
            [
                clock_events.stopped(
                    clock, ticket=by_id[clock.ticket_id], reason=reason, created_at=now
                )
                for clock in stopping
            ]
        )
    grouped: dict[int, list[Clock]] = {pk: [] for pk in by_id}
    for clock in clocks:
        grouped[clock.ticket_id].append(clock)
    tickets_sync_sla(tickets=list(by_id.values()), clocks=grouped)
    return stopping
