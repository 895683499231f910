"""History entries of the technician tools, one small function per kind (tickets.events.record)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tickets import events
from tickets.models import EventKind, TicketEvent

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket, TicketLink


def merged_into(*, duplicate: Ticket, original: Ticket, actor: User) -> TicketEvent:
    return events.record(
        ticket=duplicate,
        kind=EventKind.MERGED,
        actor=actor,
        after={"into": original.reference, "ticket": original.pk},
    )


def merged_from(
    *, original: Ticket, duplicate: Ticket, actor: User, replies: int, attachments: int
) -> TicketEvent:
    return events.record(
        ticket=original,
        kind=EventKind.MERGED,
        actor=actor,
        after={
            "from": duplicate.reference,
            "ticket": duplicate.pk,
            "subject": duplicate.subject,
            "replies": replies,
            "attachments": attachments,
        },
    )


def linked(*, ticket: Ticket, link: TicketLink, actor: User, removed: bool = False) -> TicketEvent:
    other = link.target if link.source_id == ticket.pk else link.source
    return events.record(
        ticket=ticket,
        kind=EventKind.UNLINKED if removed else EventKind.LINKED,
        actor=actor,
        after={
            "link": link.kind,
            "other": other.reference,
            "outgoing": link.source_id == ticket.pk,
        },
        internal=True,
    )


def watcher_changed(*, ticket: Ticket, watcher: User, actor: User, added: bool) -> TicketEvent:
    # A customer colleague is public; which staff member follows stays internal.
    return events.record(
        ticket=ticket,
        kind=EventKind.WATCHER_ADDED if added else EventKind.WATCHER_REMOVED,
        actor=actor,
        after={"watcher": {"id": watcher.pk, "username": watcher.username}},
        internal=watcher.is_support_staff or actor.is_support_staff,
    )


def tags_changed(*, ticket: Ticket, actor: User, before: list[str], after: list[str]):
    return events.record(
        ticket=ticket,
        kind=EventKind.TAGS,
        actor=actor,
        before={"tags": before},
        after={"tags": after},
        internal=True,
    )
