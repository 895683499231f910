"""Watchers are notified like the requester: public replies and status changes.

Written through the one outbox write path (escalation.services.notify) inside the
ticket write's transaction, each message rendered for its reader (their language and
time zone; customers without tier jargon), as every other notification. Internal notes
never notify anyone (as for the requester), so they never reach a customer watcher.
"""

from __future__ import annotations

import uuid
from functools import partial

from django.dispatch import receiver

from escalation import messages
from escalation.models import NotificationKind
from escalation.services.notify import (
    Cause,
    messages_for_readers,
    notifications_create,
    notifications_write,
)
from tickets import signals
from tickets.models import Watcher


def _watchers(ticket, *, skip: set[int | None]):
    return [
        w.user
        for w in Watcher.objects.filter(ticket_id=ticket.pk).select_related("user")
        if w.user_id not in skip
    ]


@receiver(signals.tickets_replied, dispatch_uid="desk_notify_watchers_replied")
def on_replied(sender, replies, **kwargs):
    for ticket, reply in replies:
        _replied(ticket, reply)


def _replied(ticket, reply) -> None:
    if reply.internal:
        return
    # The requester and the assignee get their own message from the escalation app.
    recipients = _watchers(ticket, skip={ticket.requester_id, ticket.assignee_id})
    if not recipients:
        return
    notifications_create(
        recipients=recipients,
        kind=NotificationKind.REPLY,
        ticket=ticket,
        build=partial(messages.reply_for, ticket=ticket, reply=reply),
        cause_key=f"watch-reply:{reply.pk}",
        exclude=reply.author,
    )


@receiver(signals.tickets_status_changed, dispatch_uid="desk_notify_watchers_status")
def on_statuses_changed(sender, changes, actor, notify=True, **kwargs):
    """One read of the watchers and one outbox write for every ticket of the change."""
    if not notify:
        return  # the write sends its own notice of the change (to watchers too)
    watching: dict[int, list] = {}
    for w in Watcher.objects.filter(
        ticket_id__in=[ticket.pk for ticket, _b, _a in changes]
    ).select_related("user"):
        watching.setdefault(w.ticket_id, []).append(w.user)
    causes = []
    for ticket, before, after in changes:
        recipients = [u for u in watching.get(ticket.pk, []) if u.pk != ticket.requester_id]
        if not recipients:
            continue
        causes.append(
            Cause(
                messages_for_readers(
                    recipients,
                    NotificationKind.STATUS,
                    partial(messages.status_for, ticket=ticket, before=before, after=after),
                ),
                ticket,
                f"watch-status:{ticket.pk}:{uuid.uuid4().hex[:16]}",
                actor,
            )
        )
    notifications_write(causes=causes)
