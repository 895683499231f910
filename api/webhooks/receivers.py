"""Turn ticket changes into webhook outbox rows, inside the change's transaction.

Connected in ApiConfig.ready(). Domain signals cover creation, status and
replies; SLA warnings, breaches and escalations are recorded as ticket events
by the SLA engine and the escalation layer, so those are picked up from the
event rows themselves (no import of sla/escalation needed here).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from accounts.models import Tier
from tickets import signals
from tickets.models import EventKind, Ticket, TicketEvent

from ..models import Webhook, WebhookEvent
from .services import _active_hooks, deliveries_record, forget_active_hooks


def ticket_payload(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "tier": ticket.tier,
        "requester": ticket.requester_id,
        "organisation": ticket.organisation_id,
        "assignee": ticket.assignee_id,
        "response_due": ticket.response_due_at,
        "resolution_due": ticket.resolution_due_at,
    }


def _actor(actor) -> int | None:
    return actor.pk if actor is not None else None


def on_created(sender, ticket, actor=None, **kwargs) -> None:
    deliveries_record(
        event=WebhookEvent.TICKET_CREATED,
        payload={"ticket": ticket_payload(ticket), "actor": _actor(actor)},
    )


def on_status_changed(sender, ticket, actor=None, before=None, after=None, **kwargs) -> None:
    deliveries_record(
        event=WebhookEvent.STATUS_CHANGED,
        payload={
            "ticket": ticket_payload(ticket),
            "actor": _actor(actor),
            "before": before,
            "after": after,
        },
    )


def on_replied(sender, ticket, reply, **kwargs) -> None:
    # Internal notes never leave the help desk, not even to integrations.
    if reply.internal:
        return
    deliveries_record(
        event=WebhookEvent.REPLY_ADDED,
        payload={
            "ticket": ticket_payload(ticket),
            "reply": {"id": reply.pk, "author": reply.author_id, "created": reply.created_at},
        },
    )


def on_tier_changed(sender, ticket, actor=None, before=None, after=None, reason="", **kwargs):
    if before and after and Tier.rank(after) > Tier.rank(before):
        deliveries_record(
            event=WebhookEvent.ESCALATED,
            payload={
                "ticket": ticket_payload(ticket),
                "actor": _actor(actor),
                "before": before,
                "after": after,
                "reason": reason,
            },
        )


SLA_EVENTS = {
    EventKind.CLOCK_WARNED: WebhookEvent.SLA_WARNING,
    EventKind.CLOCK_BREACHED: WebhookEvent.SLA_BREACH,
}


def on_ticket_event(sender, instance: TicketEvent, created: bool, **kwargs) -> None:
    event = SLA_EVENTS.get(instance.kind) if created else None
    if event is None:
        return
    deliveries_record(
        event=event,
        payload={"ticket": ticket_payload(instance.ticket), "clock": instance.after},
    )


def on_events_bulk_recorded(sender, events, **kwargs) -> None:
    """Events inserted in bulk (the escalation sweep): the deliveries post_save would give."""
    subscribed = {event for _pk, events_of in _active_hooks() for event in events_of}
    if not subscribed & {WebhookEvent.ESCALATED, *SLA_EVENTS.values()}:
        return  # one cache read for the whole batch when nobody listens
    for event in events:
        if event.kind == EventKind.TIER:
            on_tier_changed(
                sender,
                ticket=event.ticket,
                actor=event.actor,
                before=event.before.get("tier"),
                after=event.after.get("tier"),
                reason=event.after.get("reason", ""),
            )
        else:
            on_ticket_event(sender, instance=event, created=True)


def on_webhook_changed(sender, **kwargs) -> None:
    forget_active_hooks()


def connect() -> None:
    uid = "api.webhooks"
    signals.ticket_created.connect(on_created, dispatch_uid=f"{uid}.created")
    signals.ticket_status_changed.connect(on_status_changed, dispatch_uid=f"{uid}.status")
    signals.ticket_replied.connect(on_replied, dispatch_uid=f"{uid}.replied")
    signals.ticket_tier_changed.connect(on_tier_changed, dispatch_uid=f"{uid}.tier")
    signals.ticket_events_bulk_recorded.connect(
        on_events_bulk_recorded, dispatch_uid=f"{uid}.bulk_events"
    )
    post_save.connect(on_ticket_event, sender=TicketEvent, dispatch_uid=f"{uid}.event")
    post_save.connect(on_webhook_changed, sender=Webhook, dispatch_uid=f"{uid}.hook_saved")
    post_delete.connect(on_webhook_changed, sender=Webhook, dispatch_uid=f"{uid}.hook_deleted")
