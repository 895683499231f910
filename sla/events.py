"""One small function per kind of clock history entry: every clock event has one shape.

`after` always carries the clock's facts (`facts`): id, kind, tier, cycle, target and
deadline, plus what the kind adds (met_at/late, replaces, paused_seconds, …). Actor
None is the system. The functions build unsaved events (tickets.events.build);
the services insert and announce them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tickets import events
from tickets.models import EventKind

from .services.deadlines import iso

if TYPE_CHECKING:
    from datetime import datetime

    from tickets.models import Ticket, TicketEvent

    from .models import Clock


def facts(clock: Clock, **extra: Any) -> dict[str, Any]:
    return {
        "clock": clock.pk,
        "kind": clock.kind,
        "tier": clock.tier,
        "cycle": clock.cycle,
        "target_minutes": clock.target_minutes,
        "due_at": iso(clock.due_at),
    } | extra


def _build(
    kind: str,
    clock: Clock,
    *,
    ticket: Ticket | None = None,
    before: dict[str, Any] | None = None,
    created_at: datetime | None = None,
    **extra: Any,
) -> TicketEvent:
    return events.build(
        ticket=ticket or clock.ticket,
        kind=kind,
        actor=None,
        before=before,
        after=facts(clock, **extra),
        created_at=created_at,
    )


def started(clock: Clock, **extra: Any) -> TicketEvent:
    """extra: `replaces` (ids of the clocks it follows), `reopened`."""
    return _build(EventKind.CLOCK_STARTED, clock, **extra)


def met(clock: Clock, **extra: Any) -> TicketEvent:
    """extra: `met_at`, `late`."""
    return _build(EventKind.CLOCK_MET, clock, **extra)


def paused(clock: Clock, *, status: str, **extra: Any) -> TicketEvent:
    return _build(EventKind.CLOCK_PAUSED, clock, status=status, **extra)


def resumed(clock: Clock, *, paused_seconds: float, **extra: Any) -> TicketEvent:
    return _build(EventKind.CLOCK_RESUMED, clock, paused_seconds=paused_seconds, **extra)


def recomputed(clock: Clock, *, previous_due_at: datetime, reason: str, **extra: Any):
    """A running clock's deadline moved (priority change, agreement or calendar edit)."""
    return _build(
        EventKind.CLOCK_RECOMPUTED,
        clock,
        before={"due_at": iso(previous_due_at)},
        previous_due_at=iso(previous_due_at),
        reason=reason,
        **extra,
    )


def warned(*, clock: Clock, **extra: Any) -> TicketEvent:
    return _build(EventKind.CLOCK_WARNED, clock, **extra)


def breached(*, clock: Clock, **extra: Any) -> TicketEvent:
    return _build(EventKind.CLOCK_BREACHED, clock, **extra)


def stopped(clock: Clock, *, reason: str, **extra: Any) -> TicketEvent:
    return _build(EventKind.CLOCK_STOPPED, clock, reason=reason, **extra)
