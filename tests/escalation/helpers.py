"""Small readers for the escalation tests."""

from escalation.models import Escalation, Notification
from sla.models import Clock, ClockKind


def response_clock(ticket, tier):
    return Clock.objects.filter(ticket=ticket, kind=ClockKind.RESPONSE, tier=tier).latest("cycle")


def resolution_clock(ticket):
    return Clock.objects.filter(ticket=ticket, kind=ClockKind.RESOLUTION).latest("cycle")


def notified(ticket, cause_prefix=""):
    """{(username, kind)} of the ticket's outbox rows whose cause starts with the prefix."""
    rows = Notification.objects.filter(ticket=ticket, cause_key__startswith=cause_prefix)
    return set(rows.values_list("recipient__username", "kind"))


def escalations(ticket):
    return list(
        Escalation.objects.filter(ticket=ticket)
        .order_by("created_at", "id")
        .values_list("kind", "from_tier", "to_tier")
    )
