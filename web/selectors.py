"""Reads behind the browser pages: the customer's list and the technician queue.

Both start from `tickets.selectors.ticket_list` (scoped with visible_to) and add
the SLA annotations, so a page is one count query and one row query however
many tickets there are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from common.ids import parse_id
from sla.selectors import annotate_sla, order_by_urgency
from tickets.models import Participation, Reply, Status, Ticket, TicketQuerySet
from tickets.selectors import ticket_list

from .paging import Narrowing

if TYPE_CHECKING:
    from accounts.models import User


def customer_tickets(*, user: User, filters: dict[str, Any] | None = None) -> QuerySet[Ticket]:
    """Own tickets (and the organisation's for contact persons), newest activity first;
    `filters`: q (reference, subject, description, public replies), state (open, closed)."""
    filters = filters or {}
    tickets = ticket_list(user=user)
    if filters.get("state") == "open":
        tickets = tickets.active()
    elif filters.get("state") == "closed":
        tickets = tickets.exclude(status__in=Status.active())
    query = (filters.get("q") or "").strip()
    if query:
        tickets = tickets.filter(_search(query, public_only=True))
    return annotate_sla(tickets).order_by("-updated_at", "-id")


def queue_tickets(*, user: User, filters: dict[str, Any]) -> QuerySet[Ticket]:
    """A technician's queue: one tier (or all visible), filtered, ordered by urgency."""
    rows = ticket_list(user=user)  # what a row shows, joined
    return order_by_urgency(annotate_sla(queue_scope(user=user, filters=filters, tickets=rows)))


def queue_scope(
    *, user: User, filters: dict[str, Any], tickets: TicketQuerySet | None = None
) -> TicketQuerySet:
    """The queue's tickets (of `tickets`, else all the user sees) without display columns
    or order: what the views' counts count, cheaper to build than the page's rows."""
    tickets = Ticket.objects.visible_to(user) if tickets is None else tickets
    tier = filters.get("tier")
    who = filters.get("who")
    if who == "handed_off":
        # Wherever they are now: the tickets this person escalated (with a hand-off note).
        tickets = tickets.filter(Exists(handed_off_by(user)))
    elif tier and tier != "all":
        tickets = tickets.filter(tier=tier)
    status = filters.get("status")
    if status != "all":  # "all": every status (the dashboard's links to resolved tickets)
        tickets = tickets.filter(status=status) if status else tickets.active()
    if filters.get("priority"):
        tickets = tickets.filter(priority=filters["priority"])
    if filters.get("organisation"):
        tickets = tickets.filter(organisation_id=filters["organisation"])
    if who == "mine":
        tickets = tickets.filter(assignee=user)
    elif who == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    if filters.get("vip"):
        tickets = tickets.filter(is_vip=True)
    query = (filters.get("q") or "").strip()
    if query:
        tickets = tickets.filter(_search(query))
    return tickets


def handed_off_by(user: User) -> QuerySet[Participation]:
    """The user's participation in the outer ticket, if they moved it up a tier (the
    participation table's (ticket, user) index: no scan of the history)."""
    return (
        Participation.objects.filter(ticket=OuterRef("pk"), user_id=user.pk)
        .alias(escalated=F("how").bitand(Participation.ESCALATED))
        .filter(escalated__gt=0)
    )


def queue_search(filters: dict[str, Any]) -> Narrowing | None:
    """The queue's search (`q`) as a narrowing for the cursor pages; None without one. The
    page reads `queue_tickets`/`queue_scope` of the same filters without `q`
    (`without_search`): the same tickets as those with it, in the same order."""
    query = (filters.get("q") or "").strip()
    return ticket_search(query) if query else None


def without_search(filters: dict[str, Any]) -> dict[str, Any]:
    return {**filters, "q": ""}


def ticket_search(query: str, *, public_only: bool = False) -> Narrowing:
    """`_search` in both forms: a test of one ticket (its subject, description, a probe of
    its replies through their ticket index) for walking the queue's urgency index, and for
    words in few tickets two sets read through the trigram indexes: the tickets whose text
    matches (or the referenced ticket), the tickets with a matching reply."""
    replies = Reply.objects.filter(body__icontains=query)
    if public_only:
        replies = replies.filter(internal=False)
    text = Q(subject__icontains=query) | Q(description__icontains=query)
    ticket_id = _reference(query)
    if ticket_id:
        text |= Q(pk=ticket_id)
    row = text | Q(Exists(replies.filter(ticket_id=OuterRef("pk"))))
    return Narrowing(row=row, parts=(text, Q(pk__in=replies.values("ticket_id"))))


def _search(query: str, *, public_only: bool = False) -> Q:
    """Reference (HD-000123 or 123), subject, description and conversation text (for
    customers only the public conversation: internal notes are never matched).

    One `id IN (… UNION …)` of the matching tickets and replies: each side is served by its
    trigram index (tickets migration 0006), where an OR of per-row tests would scan the tier.
    """
    matching = (
        Ticket.objects.filter(Q(subject__icontains=query) | Q(description__icontains=query))
        .order_by()
        .values("pk")
    )
    replies = Reply.objects.filter(body__icontains=query)
    if public_only:
        replies = replies.filter(internal=False)
    condition = Q(pk__in=matching.union(replies.order_by().values("ticket_id")))
    ticket_id = _reference(query)
    if ticket_id:
        condition |= Q(pk=ticket_id)
    return condition


def _reference(query: str) -> int | None:
    """The ticket a search names by reference (HD-000123) or number (123), if any."""
    ticket_id = Ticket.id_from_reference(query)
    if ticket_id is None and len(query) < 13:
        ticket_id = parse_id(query)
    return ticket_id or None


def open_statuses() -> list[str]:
    return [str(s) for s in Status.active()]
