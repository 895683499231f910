"""People told when a ticket leaves them: a move (by the sweep, a manager or a rule) that
releases its assignee writes them a notice, with the way back to the ticket (they keep
read access to what they worked on).

Listens to the history itself (`ticket_events_recorded`, announced by every write), so
every path that releases an assignee is covered.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from tickets import signals
from tickets.models import EventKind, TicketEvent

from . import messages
from .models import NotificationKind
from .services.notify import Cause, messages_for_readers, notifications_write


def _released(event: TicketEvent) -> int | None:
    """The person an ASSIGNEE event took the ticket from, unless they did it themselves."""
    if event.kind != EventKind.ASSIGNEE or (event.after or {}).get("assignee"):
        return None
    person = (event.before or {}).get("assignee") or {}
    released = person.get("id")
    return released if released and released != event.actor_id else None


def _released_text(reader, *, ticket) -> tuple[str, str]:
    return messages.released_message(ticket=ticket)


def released_notify(*, events: Sequence[TicketEvent]) -> int:
    """One notice per released person and ticket; returns how many rows were written."""
    found = [(event, pk) for event in events if (pk := _released(event)) is not None]
    if not found:
        return 0
    people = get_user_model().objects.in_bulk({pk for _event, pk in found})
    causes = []
    for event, pk in found:
        user = people.get(pk)
        if user is None:
            continue
        ticket = event.ticket
        causes.append(
            Cause(
                messages_for_readers(
                    [user],
                    NotificationKind.RELEASED,
                    partial(_released_text, ticket=ticket),
                ),
                ticket,
                f"released:{ticket.pk}:{pk}:{uuid.uuid4().hex[:16]}",
            )
        )
    return sum(notifications_write(causes=causes))


@receiver(signals.ticket_events_recorded, dispatch_uid="escalation_released")
def on_events_recorded(sender, events, **kwargs) -> None:
    released_notify(events=[e for e in events if e.kind == EventKind.ASSIGNEE])
