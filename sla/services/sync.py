"""Mirror a ticket's current clocks onto its denormalised SLA columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..models import Clock, ClockKind

if TYPE_CHECKING:
    from tickets.models import Ticket


def current_clocks(*, ticket: Ticket) -> tuple[Clock | None, Clock | None]:
    """The response clock of the ticket's current tier and the resolution clock (latest cycles)."""
    clocks = list(Clock.objects.filter(ticket=ticket).order_by("kind", "tier", "-cycle"))
    response = next(
        (c for c in clocks if c.kind == ClockKind.RESPONSE and c.tier == ticket.tier), None
    )
    resolution = next((c for c in clocks if c.kind == ClockKind.RESOLUTION), None)
    return response, resolution


def sync_ticket_sla(*, ticket: Ticket) -> None:
    """Copy due/warn instants and breached/paused flags from the clocks to the ticket row."""
    response, resolution = current_clocks(ticket=ticket)

    def open_instant(clock: Clock | None, field: str):
        if clock is None or clock.met_at or clock.stopped_at:
            return None
        return getattr(clock, field)

    ticket.response_due_at = open_instant(response, "due_at")
    ticket.response_warn_at = open_instant(response, "warn_at")
    ticket.resolution_due_at = open_instant(resolution, "due_at")
    ticket.resolution_warn_at = open_instant(resolution, "warn_at")
    live = [c for c in (response, resolution) if c and not c.met_at and not c.stopped_at]
    ticket.sla_breached = any(c.breached_at for c in live)
    ticket.sla_paused = (
        bool(live)
        and all(c.paused_at for c in live if not c.breached_at)
        and any(c.paused_at for c in live)
    )
    type(ticket).objects.filter(pk=ticket.pk).update(
        response_due_at=ticket.response_due_at,
        response_warn_at=ticket.response_warn_at,
        resolution_due_at=ticket.resolution_due_at,
        resolution_warn_at=ticket.resolution_warn_at,
        sla_breached=ticket.sla_breached,
        sla_paused=ticket.sla_paused,
    )
