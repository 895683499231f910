"""One small function per kind of history entry, so every change records the same shape.

The kind functions build unsaved events; a service inserts the events of its write in
one go (`insert`) and, once every effect of the write is done (clocks, SLA columns),
announces them (`announce`: webhooks and other listeners of history entries), so
what listeners read is the state after the whole write. `record` is build + insert for
entries nobody listens to.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from common.bulk import cache_related, insert_in_bulk, new_instance

from . import signals
from .models import EventKind, TicketEvent

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Attachment, Reply, Ticket


def build(
    *,
    ticket: Ticket,
    kind: str,
    actor: User | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    internal: bool = False,
    created_at: datetime | None = None,
) -> TicketEvent:
    """An unsaved event of `ticket` (cached on it for listeners)."""
    event = new_instance(
        TicketEvent,
        ticket_id=ticket.pk,
        actor=actor,
        kind=kind,
        before=before or {},
        after=after or {},
        internal=internal,
        created_at=created_at or timezone.now(),
    )
    cache_related(event, ticket=ticket)
    return event


def insert(events: Sequence[TicketEvent]) -> list[TicketEvent]:
    """Insert built events (one query for any number)."""
    return insert_in_bulk(events)


def announce(events: Sequence[TicketEvent]) -> None:
    """Tell listeners of history entries (webhooks) about inserted events, once the write
    that made them is complete."""
    if events:
        signals.ticket_events_recorded.send(sender=TicketEvent, events=list(events))


def record(
    *,
    ticket: Ticket,
    kind: str,
    actor: User | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    internal: bool = False,
) -> TicketEvent:
    """Build and insert one event (not announced)."""
    event = build(
        ticket=ticket, kind=kind, actor=actor, before=before, after=after, internal=internal
    )
    return insert([event])[0]


def created(*, ticket: Ticket, actor: User, routing: str = "") -> TicketEvent:
    """`routing`: why the ticket starts above L1 (e.g. "VIP routing")."""
    after = {
        "status": ticket.status,
        "priority": ticket.priority,
        "tier": ticket.tier,
        "subject": ticket.subject,
    }
    if routing:
        after["routing"] = routing
    return build(ticket=ticket, kind=EventKind.CREATED, actor=actor, after=after)


def fixed_in_release(
    *, ticket: Ticket, actor: User | None, release_id: int, version: str
) -> TicketEvent:
    """The maintenance release that fixes the ticket (written as it resolves it)."""
    return build(
        ticket=ticket,
        kind=EventKind.FIXED_IN_RELEASE,
        actor=actor,
        after={"release": release_id, "version": version},
    )


def _column_changed(
    ticket: Ticket, kind: str, column: str, actor: User | None, before: str, after: str, **more
) -> TicketEvent:
    """One core column from `before` to `after`: {column: before} → {column: after, **more}."""
    return build(
        ticket=ticket,
        kind=kind,
        actor=actor,
        before={column: before},
        after={column: after, **more},
    )


def status_changed(*, ticket: Ticket, actor: User | None, before: str, after: str) -> TicketEvent:
    return _column_changed(ticket, EventKind.STATUS, "status", actor, before, after)


def tier_changed(
    *, ticket: Ticket, actor: User | None, before: str, after: str, reason: str = ""
) -> TicketEvent:
    return _column_changed(ticket, EventKind.TIER, "tier", actor, before, after, reason=reason)


def priority_changed(*, ticket: Ticket, actor: User | None, before: str, after: str) -> TicketEvent:
    return _column_changed(ticket, EventKind.PRIORITY, "priority", actor, before, after)


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "username": user.username} if user else None


def assignee_changed(
    *, ticket: Ticket, actor: User | None, before: User | None, after: User | None
) -> TicketEvent:
    # Customers see that someone took the ticket, not who: staff names stay internal.
    return build(
        ticket=ticket,
        kind=EventKind.ASSIGNEE,
        actor=actor,
        before={"assignee": _person(before)},
        after={"assignee": _person(after)},
        internal=True,
    )


def reply_added(*, ticket: Ticket, reply: Reply) -> TicketEvent:
    return build(
        ticket=ticket,
        kind=EventKind.NOTE if reply.internal else EventKind.REPLY,
        actor=reply.author,
        after={"reply": reply.pk},
        internal=reply.internal,
    )


def attachment_added(*, ticket: Ticket, attachment: Attachment, internal: bool) -> TicketEvent:
    return build(
        ticket=ticket,
        kind=EventKind.ATTACHMENT,
        actor=attachment.uploaded_by,
        after={"attachment": attachment.pk, "filename": attachment.filename},
        internal=internal,
    )


def acknowledged(*, ticket: Ticket, actor: User, with_message: bool = False) -> TicketEvent:
    return build(
        ticket=ticket,
        kind=EventKind.ACKNOWLEDGED,
        actor=actor,
        after={"tier": ticket.tier, "message": with_message},
    )


def rated(*, ticket: Ticket, actor: User, rating: int) -> TicketEvent:
    return build(ticket=ticket, kind=EventKind.RATED, actor=actor, after={"rating": rating})
