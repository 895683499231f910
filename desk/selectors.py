"""Reads of the technician tools, scoped to the user like every ticket read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet

from common.errors import NotFound
from tickets.models import LinkKind, Status, Tag, Ticket, TicketLink, Watcher

from .models import Macro, MacroTranslation

if TYPE_CHECKING:
    from accounts.models import User

PANEL_TICKETS = 5


def macro_list(*, user: User, search: str = "") -> QuerySet[Macro]:
    """Shared macros and the user's own (nobody else's personal ones)."""
    if not user.is_support_staff:
        return Macro.objects.none()
    macros = Macro.objects.filter(Q(owner__isnull=True) | Q(owner=user))
    if search.strip():
        macros = macros.filter(name__icontains=search.strip())
    return macros.prefetch_related(
        Prefetch("translations", queryset=MacroTranslation.objects.order_by("language"))
    ).order_by("owner_id", "name", "id")


def macro_get(*, user: User, macro_id: int) -> Macro:
    macro = macro_list(user=user).filter(pk=macro_id).first()
    if macro is None:
        raise NotFound("No such canned reply.")
    return macro


@dataclass(frozen=True)
class LinkView:
    """A link as seen from one of its two tickets."""

    kind: str  # related, parent, child, duplicate_of, duplicated_by
    other: Ticket
    link: TicketLink


def _relation(link: TicketLink, ticket: Ticket) -> tuple[str, Ticket]:
    outgoing = link.source_id == ticket.pk
    other = link.target if outgoing else link.source
    if link.kind == LinkKind.RELATED:
        return "related", other
    if link.kind == LinkKind.PARENT:
        return ("parent_of" if outgoing else "child_of"), other
    return ("duplicate_of" if outgoing else "duplicated_by"), other


def ticket_links(*, ticket: Ticket, user: User) -> list[LinkView]:
    """Links of the ticket to tickets the user may see (others are left out), both ways."""
    visible = Ticket.objects.visible_to(user)
    links = (
        TicketLink.objects.filter(Q(source=ticket) | Q(target=ticket))
        .filter(Q(source__in=visible) & Q(target__in=visible))
        .select_related("source", "target")
        .order_by("created_at", "id")
    )
    return [LinkView(*_relation(link, ticket), link=link) for link in links]


def ticket_watchers(*, ticket: Ticket, user: User) -> list[Watcher]:
    """Who watches: staff see everyone; customers see the organisation's people only."""
    watchers = Watcher.objects.filter(ticket=ticket).select_related("user").order_by("id")
    if not user.is_support_staff:
        watchers = watchers.filter(user__role="customer")
    return list(watchers)


def colleagues(*, ticket: Ticket) -> QuerySet:
    """Customers of the ticket's organisation who could be copied in."""
    from accounts.models import Role, User

    if not ticket.organisation_id:
        return User.objects.none()
    return (
        User.objects.filter(
            organisation_id=ticket.organisation_id, role=Role.CUSTOMER, is_active=True
        )
        .exclude(pk=ticket.requester_id)
        .exclude(watching__ticket=ticket)
        .order_by("first_name", "last_name", "username")
    )


def tag_names() -> list[str]:
    return list(Tag.objects.order_by("name").values_list("name", flat=True))


def ticket_tag_names(*, ticket: Ticket) -> list[str]:
    return sorted(ticket.tags.values_list("name", flat=True))


@dataclass
class RequesterPanel:
    requester: object
    organisation: object
    is_vip: bool
    agreement: object
    targets: list
    open_tickets: list[Ticket]
    recent_tickets: list[Ticket]


def requester_panel(*, ticket: Ticket, user: User, agreement) -> RequesterPanel:
    """The requester at a glance: organisation, VIP, agreement with the ticket's targets,
    and their other open and recently closed tickets the user may see (a fixed number
    of queries: targets, open, recent)."""
    from sla.models import Target

    targets: list = []
    if agreement is not None:
        targets = list(
            Target.objects.filter(
                agreement=agreement, priority=ticket.priority, vip=ticket.is_vip
            ).order_by("kind", "tier")
        )
    others = (
        Ticket.objects.visible_to(user)
        .filter(requester_id=ticket.requester_id)
        .exclude(pk=ticket.pk)
        .only("id", "subject", "status", "priority", "created_at", "updated_at")
    )
    open_tickets = list(
        others.filter(status__in=Status.active()).order_by("-created_at")[:PANEL_TICKETS]
    )
    recent = list(
        others.exclude(status__in=Status.active()).order_by("-updated_at")[:PANEL_TICKETS]
    )
    return RequesterPanel(
        requester=ticket.requester,
        organisation=ticket.organisation,
        is_vip=ticket.requester.is_vip or ticket.is_vip,
        agreement=agreement,
        targets=targets,
        open_tickets=open_tickets,
        recent_tickets=recent,
    )
