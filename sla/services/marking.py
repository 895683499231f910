"""Marking a clock warned or breached: claimed once, by a conditional update.

The sweep (escalation) calls these. Each returns the clock when this call made
the change and None when the clock was no longer running or not yet due (a
reply that met it just before wins; a second worker finds nothing to do).
Call inside a transaction: the event and the ticket's SLA columns commit with
the mark.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from tickets import events
from tickets.models import EventKind, Ticket

from ..models import Clock
from .sync import sync_ticket_sla

_RUNNING = {
    "met_at__isnull": True,
    "breached_at__isnull": True,
    "paused_at__isnull": True,
    "stopped_at__isnull": True,
}


def _lock_ticket_of(clock_id: int) -> None:
    """Take the ticket's row lock before touching the clock.

    Ticket services lock the ticket first and then update its clocks; taking
    the locks in the same order here means a reply racing the sweep waits
    instead of deadlocking.
    """
    ticket_id = Clock.objects.filter(pk=clock_id).values("ticket_id")
    list(Ticket.objects.select_for_update().filter(pk__in=ticket_id).values_list("pk"))


def clock_mark_warned(*, clock_id: int, now: datetime | None = None) -> Clock | None:
    now = now or timezone.now()
    _lock_ticket_of(clock_id)
    claimed = Clock.objects.filter(
        pk=clock_id, warned_at__isnull=True, warn_at__lte=now, **_RUNNING
    ).update(warned_at=now)
    if claimed != 1:
        return None
    clock = Clock.objects.select_related("ticket").get(pk=clock_id)
    events.record(
        ticket=clock.ticket,
        kind=EventKind.CLOCK_WARNED,
        actor=None,
        after=_clock_facts(clock),
    )
    sync_ticket_sla(ticket=clock.ticket)
    return clock


def clock_mark_breached(*, clock_id: int, now: datetime | None = None) -> Clock | None:
    now = now or timezone.now()
    _lock_ticket_of(clock_id)
    claimed = Clock.objects.filter(pk=clock_id, due_at__lte=now, **_RUNNING).update(breached_at=now)
    if claimed != 1:
        return None
    clock = Clock.objects.select_related("ticket").get(pk=clock_id)
    events.record(
        ticket=clock.ticket,
        kind=EventKind.CLOCK_BREACHED,
        actor=None,
        after=_clock_facts(clock),
    )
    sync_ticket_sla(ticket=clock.ticket)
    return clock


def _clock_facts(clock: Clock) -> dict:
    return {
        "clock": clock.pk,
        "kind": clock.kind,
        "tier": clock.tier,
        "due_at": clock.due_at.isoformat(),
    }
