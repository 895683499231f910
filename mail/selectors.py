"""Shared reads of the mail app."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import InboundMail, Outcome


def ticket_origin_message_id(*, ticket_id: int) -> str:
    """The Message-ID of the mail a ticket was opened from, or ''."""
    return (
        InboundMail.objects.filter(ticket_id=ticket_id, outcome=Outcome.TICKET)
        .order_by("received_at")
        .values_list("message_id", flat=True)
        .first()
        or ""
    )


def quarantine() -> QuerySet[InboundMail]:
    return InboundMail.objects.filter(outcome=Outcome.QUARANTINED).select_related("mailbox")


def ticket_mails(*, ticket_id: int) -> QuerySet[InboundMail]:
    """The mails that opened or answered a ticket, oldest first (staff only: callers check)."""
    return InboundMail.objects.filter(ticket_id=ticket_id).order_by("received_at", "id")
