"""Reads of SLA state for lists, pages and the API.

Everything here works on the ticket's denormalised SLA columns, so a list of a
million tickets is still one indexed query with no join to the clocks.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import BooleanField, Case, CharField, F, Q, QuerySet, Value, When
from django.utils import timezone

from tickets.models import Ticket

from .models import Agreement, Clock
from .policies import applicable_agreement


class SlaStatus:
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    ALL = (OK, WARNING, BREACHED, PAUSED, MET)


def sla_status_condition(status: str, *, now: datetime) -> Q:
    """A filter for one sla_status value, equivalent to the annotation below."""
    warned = (
        Q(response_warn_at__lte=now)
        | Q(resolution_warn_at__lte=now)
        | Q(next_response_warn_at__lte=now)
    )
    nothing_due = Q(
        response_due_at__isnull=True,
        resolution_due_at__isnull=True,
        next_response_due_at__isnull=True,
    )
    conditions = {
        SlaStatus.BREACHED: Q(sla_breached=True),
        SlaStatus.PAUSED: Q(sla_breached=False, sla_paused=True),
        SlaStatus.MET: Q(sla_breached=False, sla_paused=False) & nothing_due,
        SlaStatus.WARNING: Q(sla_breached=False, sla_paused=False) & ~nothing_due & warned,
    }
    if status == SlaStatus.OK:
        return Q(sla_breached=False, sla_paused=False) & ~nothing_due & ~warned
    return conditions[status]


def annotate_sla(tickets: QuerySet[Ticket], *, now: datetime | None = None) -> QuerySet[Ticket]:
    """Add `sla_status` and `is_breached` for display (`next_due_at` is a stored column)."""
    now = now or timezone.now()
    return tickets.annotate(
        sla_status=Case(
            *(
                When(sla_status_condition(status, now=now), then=Value(status))
                for status in (
                    SlaStatus.BREACHED,
                    SlaStatus.PAUSED,
                    SlaStatus.MET,
                    SlaStatus.WARNING,
                )
            ),
            default=Value(SlaStatus.OK),
            output_field=CharField(),
        ),
        is_breached=Case(
            When(sla_breached=True, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def order_by_urgency(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Breached first, then the nearest deadline; tickets with nothing due last (the
    order of the `ticket_queue_*` partial indexes, so a page is an index scan)."""
    return tickets.order_by(F("sla_breached").desc(), F("next_due_at").asc(nulls_last=True), "id")


def ticket_sla_status(ticket: Ticket, *, now: datetime | None = None) -> str:
    """The same rule as the annotation, for one ticket already in memory."""
    now = now or timezone.now()
    if ticket.sla_breached:
        return SlaStatus.BREACHED
    if ticket.sla_paused:
        return SlaStatus.PAUSED
    due = (ticket.response_due_at, ticket.resolution_due_at, ticket.next_response_due_at)
    if all(d is None for d in due):
        return SlaStatus.MET
    warns = [
        w
        for w in (ticket.response_warn_at, ticket.resolution_warn_at, ticket.next_response_warn_at)
        if w is not None
    ]
    if any(w <= now for w in warns):
        return SlaStatus.WARNING
    return SlaStatus.OK


def applied_agreement(ticket: Ticket) -> Agreement | None:
    """The agreement the ticket's clocks run on (one query); None for a ticket without SLA."""
    clock = (
        Clock.objects.filter(ticket_id=ticket.pk, agreement__isnull=False)
        .select_related("agreement")
        .order_by("-started_at", "-id")
        .first()
    )
    return clock.agreement if clock is not None else None


def ticket_agreement(ticket: Ticket) -> Agreement | None:
    """The agreement applied to the ticket: the one stored on its latest clock, else the one
    that would apply now (organisation's, else the default)."""
    return applied_agreement(ticket) or applicable_agreement(ticket.organisation_id)


def ticket_clocks(ticket: Ticket) -> QuerySet[Clock]:
    """All clocks of a ticket, oldest first, with their agreement (for pages and the API)."""
    return Clock.objects.filter(ticket_id=ticket.pk).select_related("agreement")
