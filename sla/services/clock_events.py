"""TicketEvents for clock transitions: one shape for every kind (actor None = the system)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from tickets import events
from tickets.models import TicketEvent

from ..models import Clock
from .deadlines import iso

if TYPE_CHECKING:
    from tickets.models import Ticket


def clock_facts(clock: Clock, **extra: Any) -> dict[str, Any]:
    facts = {
        "clock": clock.pk,
        "kind": clock.kind,
        "tier": clock.tier,
        "cycle": clock.cycle,
        "target_minutes": clock.target_minutes,
        "due_at": iso(clock.due_at),
    }
    return facts | extra


def record(ticket: Ticket, kind: str, clock: Clock, **extra: Any) -> None:
    events.record(ticket=ticket, kind=kind, actor=None, after=clock_facts(clock, **extra))


def record_all(ticket: Ticket, notes: list[tuple[str, Clock, dict[str, Any]]]) -> None:
    """Several clock events of one transition in one INSERT (same shape as events.record)."""
    if len(notes) == 1:
        kind, clock, extra = notes[0]
        record(ticket, kind, clock, **extra)
        return
    now = timezone.now()
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=ticket, kind=kind, actor=None, after=clock_facts(clock, **extra), created_at=now
        )
        for kind, clock, extra in notes
    )
