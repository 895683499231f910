"""Watchers are notified like the requester: public replies and status changes.

Written through the one outbox write path (escalation.services.notify) inside the
ticket write's transaction. Internal notes never notify anyone (as for the requester),
so they never reach a customer watcher.
"""

from __future__ import annotations

import uuid

from django.dispatch import receiver

from escalation import messages
from escalation.models import NotificationKind
from escalation.services.notify import notifications_create
from tickets import signals
from tickets.models import Watcher


def _watchers(ticket, *, skip: set[int | None]):
    return [
        w.user
        for w in Watcher.objects.filter(ticket_id=ticket.pk).select_related("user")
        if w.user_id not in skip
    ]


@receiver(signals.ticket_replied, dispatch_uid="desk_notify_watchers_replied")
def on_replied(sender, ticket, reply, **kwargs):
    if reply.internal:
        return
    # The requester and the assignee get their own message from the escalation app.
    recipients = _watchers(ticket, skip={ticket.requester_id, ticket.assignee_id})
    if not recipients:
        return
    subject, body = messages.reply_message(ticket=ticket, reply=reply)
    notifications_create(
        recipients=recipients,
        kind=NotificationKind.REPLY,
        ticket=ticket,
        subject=subject,
        body=body,
        cause_key=f"watch-reply:{reply.pk}",
        exclude=reply.author,
    )


@receiver(signals.ticket_status_changed, dispatch_uid="desk_notify_watchers_status")
def on_status_changed(sender, ticket, actor, before, after, **kwargs):
    recipients = _watchers(ticket, skip={ticket.requester_id})
    if not recipients:
        return
    subject, body = messages.status_message(ticket=ticket, before=before, after=after)
    notifications_create(
        recipients=recipients,
        kind=NotificationKind.STATUS,
        ticket=ticket,
        subject=subject,
        body=body,
        cause_key=f"watch-status:{ticket.pk}:{uuid.uuid4().hex[:16]}",
        exclude=actor,
    )
