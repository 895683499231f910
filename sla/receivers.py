"""Signal receivers: ticket changes drive the clocks; SLA table changes queue a recompute.

Ticket signals arrive inside the ticket service's transaction, so clocks,
events and the ticket's SLA columns commit or roll back with the change.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tickets import signals as ticket_signals
from tickets.models import Ticket

from .models import Agreement, Calendar, ClosedDate, Target
from .services import clocks, recompute, seeding, tier


@receiver(ticket_signals.ticket_route, sender=Ticket, dispatch_uid="sla_ticket_route")
def on_ticket_route(*, requester, **kwargs) -> tuple[str, str] | None:
    tier = clocks.route_new_ticket(requester=requester)
    return (tier, "VIP routing") if tier else None


@receiver(ticket_signals.ticket_created, sender=Ticket, dispatch_uid="sla_ticket_created")
def on_ticket_created(*, ticket, **kwargs) -> None:
    clocks.clocks_start_for_new_ticket(ticket=ticket)


@receiver(ticket_signals.tickets_tier_changed, sender=Ticket, dispatch_uid="sla_tier_changed")
def on_tiers_changed(*, changes, **kwargs) -> None:
    moves = [(ticket, before, after) for ticket, before, after, _reason in changes]
    tier.clocks_change_tier(changes=moves)


@receiver(ticket_signals.ticket_status_changed, sender=Ticket, dispatch_uid="sla_status_changed")
def on_status_changed(*, ticket, before, after, **kwargs) -> None:
    clocks.clocks_change_status(ticket=ticket, before=before, after=after)


@receiver(
    ticket_signals.ticket_priority_changed, sender=Ticket, dispatch_uid="sla_priority_changed"
)
def on_priority_changed(*, ticket, **kwargs) -> None:
    clocks.clocks_change_priority(ticket=ticket)


@receiver(ticket_signals.ticket_replied, sender=Ticket, dispatch_uid="sla_replied")
def on_replied(*, ticket, reply, **kwargs) -> None:
    if clocks.reply_meets_response(ticket=ticket, reply=reply):
        clocks.clocks_meet_response(ticket=ticket)


@receiver(ticket_signals.ticket_acknowledged, sender=Ticket, dispatch_uid="sla_acknowledged")
def on_acknowledged(*, ticket, with_message=False, **kwargs) -> None:
    # The message itself (a public reply) met the clock; a silent acknowledgement meets it
    # only where the agreement allows that.
    if not with_message and clocks.silent_acknowledge_allowed(ticket=ticket):
        clocks.clocks_meet_response(ticket=ticket)


@receiver(ticket_signals.tickets_bulk_created, sender=Ticket, dispatch_uid="sla_bulk_created")
def on_tickets_bulk_created(*, tickets, **kwargs) -> None:
    seeding.clocks_create_in_bulk(tickets=tickets)


# ----------------------------------------------------------------- SLA configuration


@receiver(post_save, sender=Agreement, dispatch_uid="sla_agreement_saved")
def on_agreement_saved(*, instance: Agreement, created: bool, **kwargs) -> None:
    if not created:
        recompute.queue_recompute(agreement_ids=[instance.pk])


@receiver(post_save, sender=Target, dispatch_uid="sla_target_saved")
@receiver(post_delete, sender=Target, dispatch_uid="sla_target_deleted")
def on_target_changed(*, instance: Target, **kwargs) -> None:
    recompute.touch_agreement(agreement_id=instance.agreement_id)


@receiver(post_save, sender=Calendar, dispatch_uid="sla_calendar_saved")
def on_calendar_saved(*, instance: Calendar, created: bool, **kwargs) -> None:
    if not created:
        recompute.calendar_changed(calendar_id=instance.pk, touch=False)


@receiver(post_save, sender=ClosedDate, dispatch_uid="sla_closed_date_saved")
@receiver(post_delete, sender=ClosedDate, dispatch_uid="sla_closed_date_deleted")
def on_closed_date_changed(*, instance: ClosedDate, **kwargs) -> None:
    recompute.calendar_changed(calendar_id=instance.calendar_id, touch=True)
