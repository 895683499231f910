"""Turn history entries into webhook outbox rows, inside the change's transaction.

Connected in ApiConfig.ready(). Every write announces its events once all of its
effects are done (`tickets.events.announce`: the ticket row, its clocks and SLA
columns), so payloads carry the ticket as the write left it, whatever the order of
the apps. One receiver maps the kinds integrations subscribe to; deliveries of one
announcement are written in one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from accounts.models import Tier
from knowledge.models import Problem
from releases import signals as release_signals
from releases.models import Release
from tickets import signals
from tickets.models import EventKind, Reply, Ticket, TicketEvent

from ..models import Webhook, WebhookEvent
from .services import deliveries_record, forget_active_hooks, subscribed_events


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
        "next_response_due": ticket.next_response_due_at,
    }


SLA_EVENTS = {
    EventKind.CLOCK_WARNED: WebhookEvent.SLA_WARNING,
    EventKind.CLOCK_BREACHED: WebhookEvent.SLA_BREACH,
}


def _hook_event(event: TicketEvent) -> str | None:
    """The webhook event of a history entry, if integrations may hear of it."""
    if event.kind == EventKind.CREATED:
        return WebhookEvent.TICKET_CREATED
    if event.kind == EventKind.STATUS:
        return WebhookEvent.STATUS_CHANGED
    if event.kind == EventKind.REPLY and not event.internal:
        # Internal notes never leave the help desk, not even to integrations.
        return WebhookEvent.REPLY_ADDED
    if event.kind == EventKind.TIER:
        before, after = event.before.get("tier"), event.after.get("tier")
        if before and after and Tier.rank(after) > Tier.rank(before):
            return WebhookEvent.ESCALATED
        return None
    return SLA_EVENTS.get(event.kind)


def _payload(hook_event: str, event: TicketEvent, replies: dict[int, Reply]) -> dict[str, Any]:
    ticket = event.ticket
    if hook_event in SLA_EVENTS.values():
        return {"ticket": ticket_payload(ticket), "clock": event.after}
    if hook_event == WebhookEvent.REPLY_ADDED:
        reply = replies[event.after["reply"]]
        return {
            "ticket": ticket_payload(ticket),
            "reply": {"id": reply.pk, "author": reply.author_id, "created": reply.created_at},
        }
    payload: dict[str, Any] = {"ticket": ticket_payload(ticket), "actor": event.actor_id}
    if hook_event == WebhookEvent.STATUS_CHANGED:
        payload |= {"before": event.before["status"], "after": event.after["status"]}
    elif hook_event == WebhookEvent.ESCALATED:
        payload |= {
            "before": event.before["tier"],
            "after": event.after["tier"],
            "reason": event.after.get("reason", ""),
        }
    return payload


def on_events_recorded(sender, events: Sequence[TicketEvent], **kwargs) -> None:
    subscribed = subscribed_events()
    if not subscribed:
        return  # one cache read per write when nobody listens
    wanted = [(hook, event) for event in events if (hook := _hook_event(event)) in subscribed]
    if not wanted:
        return
    reply_ids = [e.after["reply"] for hook, e in wanted if hook == WebhookEvent.REPLY_ADDED]
    replies = Reply.objects.in_bulk(reply_ids) if reply_ids else {}
    deliveries_record(deliveries=[(hook, _payload(hook, event, replies)) for hook, event in wanted])


def release_payload(release: Release) -> dict[str, Any]:
    return {
        "id": release.pk,
        "version": release.version,
        "title": release.title,
        "published": release.published_at,
        "url": f"{settings.SITE_URL.rstrip('/')}/releases/{release.pk}/",
    }


def on_release_published(
    sender, release: Release, resolved: int, problems: Sequence[Problem], **kwargs
) -> None:
    about = release_payload(release)
    deliveries_record(
        deliveries=[
            (
                WebhookEvent.RELEASE_PUBLISHED,
                {
                    "release": about,
                    "resolved_tickets": resolved,
                    "fixed_problems": [p.pk for p in problems],
                },
            ),
            *[
                (
                    WebhookEvent.PROBLEM_FIXED,
                    {
                        "problem": {"id": p.pk, "title": p.title, "status": p.status},
                        "release": about,
                    },
                )
                for p in problems
            ],
        ]
    )


def on_webhook_changed(sender, **kwargs) -> None:
    # Now for this transaction's own reads, and again once committed: a request that filled
    # the cache from the old rows in between must not keep them for the cache's lifetime.
    forget_active_hooks()
    transaction.on_commit(forget_active_hooks)


def connect() -> None:
    uid = "api.webhooks"
    signals.ticket_events_recorded.connect(on_events_recorded, dispatch_uid=f"{uid}.events")
    release_signals.release_published.connect(
        on_release_published, dispatch_uid=f"{uid}.release_published"
    )
    post_save.connect(on_webhook_changed, sender=Webhook, dispatch_uid=f"{uid}.hook_saved")
    post_delete.connect(on_webhook_changed, sender=Webhook, dispatch_uid=f"{uid}.hook_deleted")
