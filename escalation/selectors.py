"""Reads of escalation history (staff only) and of people's notice choices.

And the in-app list (its marks: `escalation.services.inbox`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from django.db.models import Case, Q, QuerySet, Subquery, Value, When

from .models import (
    Escalation,
    EscalationKind,
    MailMode,
    Notification,
    NotificationKind,
    NotificationPreference,
    NotificationSettings,
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


class NoticeChoice(NamedTuple):
    kind: str
    label: str
    mail: bool
    in_app: bool
    mandatory: bool  # always by e-mail


# What a customer is ever sent; staff get every kind (release notices too).
CUSTOMER_KINDS = (
    NotificationKind.REPLY,
    NotificationKind.STATUS,
    NotificationKind.RELEASE,
    NotificationKind.RELEASE_FIXED,
)


def notice_kinds(*, user: User) -> tuple[str, ...]:
    if user.is_support_staff:
        return tuple(k for k in NotificationKind.values if k != NotificationKind.RELEASE_FIXED)
    return tuple(str(k) for k in CUSTOMER_KINDS)


def notice_choices(*, user: User) -> list[NoticeChoice]:
    """Each kind this user may get, with how they get it (no row: both channels); one query."""
    saved = {
        kind: (mail, in_app)
        for kind, mail, in_app in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "mail", "in_app"
        )
    }
    mandatory = NotificationKind.mandatory()
    out = []
    for kind in notice_kinds(user=user):
        mail, in_app = saved.get(kind, (True, True))
        out.append(
            NoticeChoice(
                kind,
                str(NotificationKind(kind).label),
                mail or kind in mandatory,
                in_app,
                kind in mandatory,
            )
        )
    return out


def mail_mode(*, user: User) -> str:
    """Staff: immediately or a digest (the default); customers: always immediately."""
    if not user.is_support_staff:
        return MailMode.IMMEDIATE
    saved = (
        NotificationSettings.objects.filter(user=user).values_list("mail_mode", flat=True).first()
    )
    return saved or MailMode.DIGEST


# The header shows "99+" beyond this: counting stops there, so the query stays cheap.
UNREAD_CAP = 99


def inbox(*, user: User) -> QuerySet[Notification]:
    """The user's in-app notices, newest first, with their tickets (only their own rows)."""
    return (
        Notification.objects.filter(recipient=user, in_app=True)
        .select_related("ticket")
        .order_by("-created_at", "-id")
    )


def inbox_page(*, user: User, before: int | None = None, unread: bool = False, size: int = 50):
    """One page of the inbox, keyset-paged: the notices older than notice `before` (one
    of the user's). No count: the page is as cheap on the thousandth page as on the first."""
    rows = inbox(user=user)
    if unread:
        rows = rows.filter(read_at__isnull=True)
    if before is not None:
        anchor = Notification.objects.filter(pk=before, recipient=user, in_app=True)
        anchor_at = Subquery(anchor.values("created_at")[:1])
        rows = rows.filter(Q(created_at__lt=anchor_at) | Q(created_at=anchor_at, id__lt=before))
    page = list(rows[: size + 1])
    return page[:size], len(page) > size


def inbox_get(*, user: User, notification_id: int) -> Notification:
    """One of the user's notices; another user's is Notification.DoesNotExist, like none."""
    return inbox(user=user).get(pk=notification_id)


def unread_count(*, user: User) -> int:
    """Unread in-app notices, counted up to UNREAD_CAP + 1 (one query over a partial index)."""
    return (
        Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True)
        .order_by()[: UNREAD_CAP + 1]
        .count()
    )
