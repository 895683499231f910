"""Reads of escalation history for the ticket page and the API (staff only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case, QuerySet, Value, When

from .models import (
    Escalation,
    EscalationKind,
    Notification,
    NotificationKind,
    NotificationPreference,
)

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket


def ticket_escalations(*, ticket: Ticket) -> QuerySet[Escalation]:
    """Every escalation of a visible ticket, newest first, with actor and clock joined."""
    return (
        Escalation.objects.filter(ticket=ticket)
        .select_related("actor", "clock")
        .order_by("-created_at", "-id")
    )


def latest_handoff(*, ticket: Ticket) -> Escalation | None:
    """The hand-off note (or de-escalation reason) to pin on top of the ticket for its tier.

    The newest manual move into the ticket's current tier; if the ticket got
    here automatically, the newest hand-off note of any earlier move. Staff
    only: the caller must not show it to customers.
    """
    into_this_tier = Case(When(to_tier=ticket.tier, then=Value(1)), default=Value(0))
    return (
        Escalation.objects.filter(
            ticket=ticket, kind__in=[EscalationKind.MANUAL, EscalationKind.DEESCALATION]
        )
        .exclude(note="")
        .select_related("actor")
        .order_by(into_this_tier.desc(), "-created_at", "-id")
        .first()
    )


def handoff_chain(*, ticket: Ticket) -> list[Escalation]:
    """Every hand-off note (and de-escalation reason) of the ticket, oldest first.

    Staff only: the caller must not show it to customers.
    """
    return list(
        Escalation.objects.filter(
            ticket=ticket, kind__in=[EscalationKind.MANUAL, EscalationKind.DEESCALATION]
        )
        .exclude(note="")
        .select_related("actor")
        .order_by("created_at", "id")
    )


def pinned_handoff(*, ticket: Ticket, chain: list[Escalation]) -> Escalation | None:
    """Of a chain, the note pinned for the ticket's tier (the rule of `latest_handoff`)."""
    candidates = [e for e in chain if e.to_tier == ticket.tier] or chain
    return candidates[-1] if candidates else None


def user_notifications(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("ticket")


def notification_settings(*, user: User) -> dict[str, bool]:
    """Every notification kind with whether this user gets it (no row: on)."""
    off = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "enabled"))
    return {kind: off.get(kind, True) for kind in NotificationKind.values}
