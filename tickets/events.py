"""One small function per kind of history entry, so every change records the same shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from .models import EventKind, TicketEvent

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Attachment, Reply, Ticket


def record(
    *,
    ticket: Ticket,
    kind: str,
    actor: User | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    internal: bool = False,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=kind,
        before=before or {},
        after=after or {},
        internal=internal,
        created_at=timezone.now(),
    )


def created(*, ticket: Ticket, actor: User) -> TicketEvent:
    return record(
        ticket=ticket,
        kind=EventKind.CREATED,
        actor=actor,
        after={
            "status": ticket.status,
            "priority": ticket.priority,
            "tier": ticket.tier,
            "subject": ticket.subject,
        },
    )


def status_changed(*, ticket: Ticket, actor: User | None, before: str, after: str) -> TicketEvent:
    return record(
        ticket=ticket,
        kind=EventKind.STATUS,
        actor=actor,
        before={"status": before},
        after={"status": after},
    )


def tier_changed(
    *, ticket: Ticket, actor: User | None, before: str, after: str, reason: str = ""
) -> TicketEvent:
    return record(
        ticket=ticket,
        kind=EventKind.TIER,
        actor=actor,
        before={"tier": before},
        after={"tier": after, "reason": reason},
    )


def priority_changed(*, ticket: Ticket, actor: User | None, before: str, after: str) -> TicketEvent:
    return record(
        ticket=ticket,
        kind=EventKind.PRIORITY,
        actor=actor,
        before={"priority": before},
        after={"priority": after},
    )


def _person(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "username": user.username} if user else None


def assignee_changed(
    *, ticket: Ticket, actor: User | None, before: User | None, after: User | None
) -> TicketEvent:
    # Customers see that someone took the ticket, not who: staff names stay internal.
    return record(
        ticket=ticket,
        kind=EventKind.ASSIGNEE,
        actor=actor,
        before={"assignee": _person(before)},
        after={"assignee": _person(after)},
        internal=True,
    )


def reply_added(*, ticket: Ticket, reply: Reply) -> TicketEvent:
    return record(
        ticket=ticket,
        kind=EventKind.NOTE if reply.internal else EventKind.REPLY,
        actor=reply.author,
        after={"reply": reply.pk},
        internal=reply.internal,
    )


def attachment_added(*, ticket: Ticket, attachment: Attachment, internal: bool) -> TicketEvent:
    return record(
        ticket=ticket,
        kind=EventKind.ATTACHMENT,
        actor=attachment.uploaded_by,
        after={"attachment": attachment.pk, "filename": attachment.filename},
        internal=internal,
    )


def acknowledged(*, ticket: Ticket, actor: User) -> TicketEvent:
    return record(
        ticket=ticket, kind=EventKind.ACKNOWLEDGED, actor=actor, after={"tier": ticket.tier}
    )


def rated(*, ticket: Ticket, actor: User, rating: int) -> TicketEvent:
    return record(ticket=ticket, kind=EventKind.RATED, actor=actor, after={"rating": rating})
