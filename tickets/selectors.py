"""Shared reads of tickets, always scoped with `visible_to(user)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet

from common.errors import NotFound
from common.ids import parse_id

from .models import Attachment, Reply, Ticket, TicketEvent, TicketQuerySet

if TYPE_CHECKING:
    from accounts.models import User


def ticket_list(*, user: User) -> TicketQuerySet:
    """Tickets the user may see, with what a list row shows already joined."""
    return Ticket.objects.visible_to(user).select_related(
        "requester", "organisation", "assignee", "category"
    )


# What a list row shows of a ticket and its people (the API list, tests/api pin the query
# count): a page of 25-100 rows reads no password hashes, comments or clock internals.
_PERSON = ("id", "username", "first_name", "last_name", "role", "is_superuser")
LIST_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "subject",
    "description",
    "status",
    "priority",
    "tier",
    "is_vip",
    "satisfaction_rating",
    # the SLA status (sla.selectors.ticket_sla_status) and the orders the list offers
    "sla_breached",
    "sla_paused",
    "response_due_at",
    "response_warn_at",
    "resolution_due_at",
    "resolution_warn_at",
    "next_response_due_at",
    "next_response_warn_at",
    "assignee_id",
    *(f"requester__{f}" for f in _PERSON),
    *(f"assignee__{f}" for f in _PERSON),
    "organisation__id",
    "organisation__name",
    "category__id",
    "category__name",
)


def ticket_rows(*, user: User) -> TicketQuerySet:
    """`ticket_list` with only the columns a list row shows (LIST_COLUMNS)."""
    return ticket_list(user=user).only(*LIST_COLUMNS)


def ticket_get(*, user: User, reference: str | int) -> Ticket:
    """One visible ticket by reference (HD-000123) or id; NotFound otherwise.

    Another user's ticket is indistinguishable from a missing one.
    """
    tickets = ticket_list(user=user)
    ticket_id = parse_id(reference)
    if ticket_id is not None:
        tickets = tickets.filter(pk=ticket_id)
    else:
        tickets = tickets.by_reference(str(reference))
    ticket = tickets.first()
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def ticket_replies(*, ticket: Ticket, user: User) -> QuerySet[Reply]:
    """The conversation as this user may read it: customers never get internal notes."""
    replies = Reply.objects.filter(ticket=ticket).select_related("author")
    if not user.is_support_staff:
        replies = replies.filter(internal=False)
    return replies.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id"))
    )


def ticket_attachments(*, ticket: Ticket, user: User) -> QuerySet[Attachment]:
    attachments = Attachment.objects.filter(ticket=ticket).select_related("reply")
    if not user.is_support_staff:
        attachments = attachments.exclude(reply__internal=True)
    return attachments


def attachment_get(*, user: User, attachment_id: int) -> Attachment:
    """An attachment the user may download; NotFound for anything else."""
    attachments = Attachment.objects.filter(
        pk=attachment_id, ticket__in=Ticket.objects.visible_to(user)
    ).select_related("reply", "ticket")
    if not user.is_support_staff:
        attachments = attachments.exclude(reply__internal=True)
    attachment = attachments.first()
    if attachment is None:
        raise NotFound("No such attachment.")
    return attachment


def ticket_events(*, ticket: Ticket, user: User) -> QuerySet[TicketEvent]:
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    if not user.is_support_staff:
        events = events.filter(internal=False)
    return events.order_by("created_at", "id")


def assignable_users(*, ticket: Ticket) -> QuerySet[User]:
    """Everyone the ticket can be assigned to: active technicians of its tier or above, and
    managers (the services still refuse a technician handing work up a tier)."""
    from django.db.models import Q

    from accounts.models import Role, Tier
    from accounts.models import User as UserModel

    tiers = [t for t in Tier.values if Tier.rank(t) >= Tier.rank(ticket.tier)]
    return UserModel.objects.filter(
        Q(role=Role.TECHNICIAN, tier__in=tiers) | Q(role=Role.MANAGER), is_active=True
    ).order_by("role", "tier", "username")
