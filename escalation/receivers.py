"""Ordinary notifications, written into the outbox inside the ticket write's transaction.

Connected in EscalationConfig.ready(). Receivers must not swallow errors (the
ticket write rolls back with them); they never talk to the broker directly:
queueing happens after commit and cannot fail the write.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterable, Iterator
from functools import partial

from django.dispatch import receiver

from accounts.models import Tier
from accounts.selectors import technicians_of_tier
from tickets import signals

from . import messages
from .models import NotificationKind
from .services.notify import (
    Cause,
    messages_for_readers,
    notifications_create,
    notifications_write,
)

# Ids of tickets the sweep moves under a rule that already tells the new tier group, so
# the group does not get a second "new in your queue" message for the same move.
_queue_notice_quiet: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar(
    "queue_notice_quiet", default=frozenset()
)


@contextlib.contextmanager
def quiet_queue_notice(ticket_ids: Iterable[int]) -> Iterator[None]:
    token = _queue_notice_quiet.set(frozenset(ticket_ids))
    try:
        yield
    finally:
        _queue_notice_quiet.reset(token)


def _key(prefix: str, ticket_id: int) -> str:
    # Signal-driven rows commit with their cause, so a random suffix cannot duplicate.
    return f"{prefix}:{ticket_id}:{uuid.uuid4().hex[:16]}"


@receiver(signals.ticket_created, dispatch_uid="escalation_notify_created")
def on_created(sender, ticket, actor, **kwargs):
    notifications_create(
        recipients=technicians_of_tier(tier=ticket.tier),
        kind=NotificationKind.NEW_IN_QUEUE,
        ticket=ticket,
        build=lambda reader: messages.queue_message(ticket=ticket, escalated=False),
        cause_key=f"queue:{ticket.pk}:{ticket.tier}:created",
        exclude=actor,
    )


@receiver(signals.tickets_tier_changed, dispatch_uid="escalation_notify_tier")
def on_tiers_changed(sender, changes, actor, **kwargs):
    """The new tier's group learns of each moved ticket: one write for all the moves."""
    quiet = _queue_notice_quiet.get()
    groups: dict[str, list] = {}
    causes = []
    for ticket, before, after, _reason in changes:
        if ticket.pk in quiet:
            continue
        if after not in groups:
            groups[after] = list(technicians_of_tier(tier=after))
        escalated = Tier.rank(after) > Tier.rank(before)
        outbox = messages_for_readers(
            [u for u in groups[after] if actor is None or u.pk != actor.pk],
            NotificationKind.NEW_IN_QUEUE,
            partial(_queue_text, ticket=ticket, escalated=escalated),
        )
        causes.append(Cause(outbox, ticket, _key(f"queue-{after}", ticket.pk)))
    notifications_write(causes=causes)


def _queue_text(reader, *, ticket, escalated: bool) -> tuple[str, str]:
    return messages.queue_message(ticket=ticket, escalated=escalated)


def _assigned_text(reader, *, ticket) -> tuple[str, str]:
    return messages.assigned_message(ticket=ticket)


@receiver(signals.tickets_status_changed, dispatch_uid="escalation_notify_status")
def on_statuses_changed(sender, changes, actor, notify=True, **kwargs):
    if not notify:
        return  # the write sends its own notice of the change
    causes = []
    for ticket, before, after in changes:
        outbox = messages_for_readers(
            [ticket.requester],
            NotificationKind.STATUS,
            partial(messages.status_for, ticket=ticket, before=before, after=after),
        )
        causes.append(Cause(outbox, ticket, _key("status", ticket.pk), actor))
    notifications_write(causes=causes)


@receiver(signals.tickets_assigned, dispatch_uid="escalation_notify_assigned")
def on_assigned(sender, changes, actor, **kwargs):
    causes = []
    for ticket, _before, after in changes:
        if after is None:
            continue
        outbox = messages_for_readers(
            [after], NotificationKind.ASSIGNED, partial(_assigned_text, ticket=ticket)
        )
        causes.append(Cause(outbox, ticket, _key("assigned", ticket.pk), actor))
    notifications_write(causes=causes)


@receiver(signals.tickets_replied, dispatch_uid="escalation_notify_replied")
def on_replied(sender, replies, **kwargs):
    for ticket, reply in replies:
        _replied(ticket, reply)


def _replied(ticket, reply) -> None:
    if reply.internal:
        return  # internal notes never leave the ticket page
    author = reply.author
    if author.is_support_staff:
        recipients, kind = [ticket.requester], NotificationKind.REPLY
    elif ticket.assignee_id:
        recipients, kind = [ticket.assignee], NotificationKind.CUSTOMER_REPLY
    else:
        # Nobody holds it: the group whose queue it sits in hears of it, or nobody would.
        recipients = list(technicians_of_tier(tier=ticket.tier))
        kind = NotificationKind.CUSTOMER_REPLY
    notifications_create(
        recipients=recipients,
        kind=kind,
        ticket=ticket,
        build=partial(messages.reply_for, ticket=ticket, reply=reply),
        cause_key=f"reply:{reply.pk}",
        exclude=author,
    )
