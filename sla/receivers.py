"""Signal receivers: ticket changes drive the clocks.

Changes of the SLA configuration are not signalled: they go through sla.services.config,
which touches the parent row and queues the recompute itself.

Ticket signals arrive inside the ticket service's transaction, so clocks,
events and the ticket's SLA columns commit or roll back with the change. Where the service
writes the ticket rows after its signal (tier, status and priority changes, replies,
acknowledging), the receiver answers the rows' new SLA columns instead of writing them: one
UPDATE a row.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from tickets import signals as ticket_signals
from tickets.models import Ticket

from .services import answers, clocks, starting, tier


@receiver(ticket_signals.ticket_route, sender=Ticket, dispatch_uid="sla_ticket_route")
def on_ticket_route(*, requester, **kwargs) -> tuple[str, str] | None:
    tier = clocks.route_new_ticket(requester=requester)
    return (tier, "VIP routing") if tier else None


@receiver(ticket_signals.ticket_created, sender=Ticket, dispatch_uid="sla_ticket_created")
def on_ticket_created(*, ticket, **kwargs) -> None:
    starting.clocks_start_for_new_tickets(tickets=[ticket])


@receiver(ticket_signals.tickets_tier_changed, sender=Ticket, dispatch_uid="sla_tier_changed")
def on_tiers_changed(*, changes, **kwargs) -> dict[int, dict[str, Any]]:
    # Answered to the tier-move service, which writes the SLA columns with the move.
    moves = [(ticket, before, after) for ticket, before, after, _reason in changes]
    return tier.clocks_change_tier(changes=moves)


@receiver(ticket_signals.tickets_status_changed, sender=Ticket, dispatch_uid="sla_status_changed")
def on_statuses_changed(*, changes, **kwargs) -> dict[int, dict[str, Any]]:
    # Answered to the status service, which writes the SLA columns with the status.
    return clocks.clocks_change_status(changes=changes)


@receiver(
    ticket_signals.tickets_priority_changed, sender=Ticket, dispatch_uid="sla_priority_changed"
)
def on_priorities_changed(*, changes, **kwargs) -> dict[int, dict[str, Any]]:
    # Answered to the priority service, which writes the new deadlines with the priority.
    return clocks.clocks_change_priority(tickets=[ticket for ticket, _before, _after in changes])


@receiver(ticket_signals.tickets_replied, sender=Ticket, dispatch_uid="sla_replied")
def on_replied(*, replies, **kwargs) -> dict[int, dict[str, Any]]:
    # Answered to the reply service, which writes the SLA columns with the reply's own.
    return answers.clocks_after_replies(replies=replies)


@receiver(ticket_signals.ticket_acknowledged, sender=Ticket, dispatch_uid="sla_acknowledged")
def on_acknowledged(*, ticket, with_message=False, **kwargs) -> dict[int, dict[str, Any]]:
    # The message itself (a public reply) met the clock; a silent acknowledgement meets it
    # only where the agreement allows that. Answered to the acknowledging service.
    if not with_message and clocks.silent_acknowledge_allowed(ticket=ticket):
        return answers.clocks_meet_responses(tickets=[ticket])
    return {}


@receiver(ticket_signals.tickets_bulk_created, sender=Ticket, dispatch_uid="sla_bulk_created")
def on_tickets_bulk_created(*, tickets, **kwargs) -> None:
    starting.clocks_start_for_new_tickets(tickets=tickets)
