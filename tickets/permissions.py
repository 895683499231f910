"""Who may do what with a ticket they can already see.

Seeing is decided by `Ticket.objects.visible_to(user)`; these checks decide
acting. Each returns a reason string when refused, None when allowed, so the
caller can say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tier

from .models import Status

if TYPE_CHECKING:
    from accounts.models import User

    from .models import Ticket


def is_customer_party(*, ticket: Ticket, user: User) -> bool:
    """The requester, or a contact person of the ticket's organisation."""
    if ticket.requester_id == user.pk:
        return True
    return bool(
        user.is_organisation_contact
        and user.organisation_id
        and user.organisation_id == ticket.organisation_id
    )


def can_work(*, ticket: Ticket, user: User) -> bool:
    """Staff who may act on the ticket: managers, and technicians at or above its tier."""
    if user.is_manager:
        return True
    return bool(user.is_technician and ticket.tier in Tier.up_to(user.tier))


def transition_refusal(*, ticket: Ticket, user: User, target: str) -> str | None:
    from .states import TRANSITIONS

    move = TRANSITIONS.get((ticket.status, target))
    if move is None:
        return _("A ticket cannot go from “%(source)s” to “%(target)s”.") % {
            "source": Status(ticket.status).label,
            "target": Status(target).label if target in Status.values else target,
        }
    if can_work(ticket=ticket, user=user):
        return None if move.staff else _("Staff may not make this change.")
    if not is_customer_party(ticket=ticket, user=user) or not move.customer:
        return _("Only the support team can make this change.")
    if ticket.status == Status.RESOLVED and target == Status.OPEN:
        days = settings.TIERDESK_REOPEN_DAYS
        resolved_at = ticket.resolved_at or ticket.updated_at
        if timezone.now() - resolved_at > timedelta(days=days):
            return _("Tickets can be reopened within %(days)d days of their resolution.") % {
                "days": days
            }
    return None


@dataclass(frozen=True)
class Capabilities:
    """What a user who sees the ticket may do with it now: the one answer the ticket page and
    the API both show (the services still decide each action under the row lock)."""

    work: bool  # staff who may act on it
    handed_off: bool  # staff who worked it before it moved beyond their tier: read only
    customer: bool  # the requester's side
    statuses: list[str]  # statuses the user may move it to
    can_reply: bool
    can_rate: bool
    can_escalate: bool
    deescalate_to: list[str]  # tiers below the ticket's (staff who may act only)

    @property
    def can_deescalate(self) -> bool:
        return bool(self.deescalate_to)


def ticket_capabilities(*, ticket: Ticket, user: User) -> Capabilities:
    from .states import allowed_targets

    work = can_work(ticket=ticket, user=user)
    customer = is_customer_party(ticket=ticket, user=user)
    handed_off = user.is_support_staff and not work
    active = ticket.is_active
    below = [t for t in Tier.values if Tier.rank(t) < Tier.rank(ticket.tier)]
    return Capabilities(
        work=work,
        handed_off=handed_off,
        customer=customer,
        statuses=allowed_targets(ticket=ticket, user=user),
        # Colleagues copied in (watchers) read along; the requester's side answers.
        can_reply=ticket.status != Status.CLOSED and not handed_off and (work or customer),
        can_rate=(
            not work
            and customer
            and ticket.status in (Status.RESOLVED, Status.CLOSED)
            and ticket.satisfaction_rating is None
        ),
        can_escalate=work and active and Tier.next_above(ticket.tier) is not None,
        deescalate_to=below if work and active else [],
    )
