"""People moving tickets between tiers: escalation with a hand-off note, de-escalation.

The UI and the API call exactly these two services. Both move the ticket with
tickets.services.ticket_move_tier, so the SLA engine starts the new tier's
response clock and an assignee who cannot follow is released.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tier
from common.errors import ApplicationError, Conflict, NotAllowed, field_error
from tickets import events
from tickets.expected import check_tier
from tickets.models import EventKind, Ticket
from tickets.permissions import can_work
from tickets.services import ticket_move_tier

from ..models import Escalation, EscalationKind

if TYPE_CHECKING:
    from accounts.models import User

HANDOFF_MIN_LENGTH = 20
REASON_MIN_LENGTH = 10
MAX_NOTE = 10_000


def _note(value: str | None, *, field: str, minimum: int) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise field_error(field, _("The text contains a NUL character."))
    if len(text) < minimum:
        message = _(
            "Write at least %(n)d characters: what was checked, what was tried, "
            "what the customer said, the suggested next step."
        ) % {"n": minimum}
        raise ApplicationError(
            message, code="required" if not text else "too_short", fields={field: [message]}
        )
    if len(text) > MAX_NOTE:
        raise field_error(field, _("At most %(n)d characters.") % {"n": MAX_NOTE})
    return text


def _record(*, ticket: Ticket, actor: User, kind: str, from_tier: str, note: str) -> Escalation:
    record = Escalation.objects.create(
        ticket=ticket,
        from_tier=from_tier,
        to_tier=ticket.tier,
        kind=kind,
        actor=actor,
        note=note,
        actions=[f"moved:{from_tier}->{ticket.tier}"],
        created_at=timezone.now(),
    )
    # The note itself stays on the Escalation row: staff read it on the ticket page.
    events.record(
        ticket=ticket,
        kind=EventKind.ESCALATED if kind == EscalationKind.MANUAL else EventKind.DEESCALATED,
        actor=actor,
        before={"tier": from_tier},
        after={"tier": ticket.tier, "escalation": record.pk},
        internal=True,
    )
    return record


def ticket_escalate(
    *, ticket: Ticket, actor: User, handoff_note: str, expected_tier: str | None = None
) -> Escalation:
    """Move the ticket one tier up with a hand-off note (400 without one; 409 at L3, or when
    `expected_tier`, the tier the caller saw, is no longer the ticket's)."""
    note = _note(handoff_note, field="handoff_note", minimum=HANDOFF_MIN_LENGTH)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if actor.is_support_staff:  # before the tier-dependent checks: say what changed
            check_tier(ticket=ticket, expected=expected_tier)
        if not (actor.is_support_staff and can_work(ticket=ticket, user=actor)):
            raise NotAllowed(_("Only support staff of this tier can escalate the ticket."))
        if not ticket.is_active:
            raise Conflict(_("Only active tickets can be escalated."), code="ticket_inactive")
        target = Tier.next_above(ticket.tier)
        if target is None:
            raise Conflict(_("The ticket is already at the highest tier."), code="top_tier")
        from_tier = ticket.tier
        ticket = ticket_move_tier(
            ticket=ticket, actor=actor, tier=target, reason=_("Escalated with a hand-off note.")
        )
        return _record(
            ticket=ticket, actor=actor, kind=EscalationKind.MANUAL, from_tier=from_tier, note=note
        )


def ticket_deescalate(
    *, ticket: Ticket, actor: User, tier: str, reason: str, expected_tier: str | None = None
) -> Escalation:
    """Managers move a ticket to any other tier; L2/L3 technicians send it down only
    (409 when `expected_tier`, the tier the caller saw, is no longer the ticket's)."""
    if tier not in Tier.values:
        raise field_error("tier", _("Unknown tier “%(t)s”.") % {"t": tier})
    note = _note(reason, field="reason", minimum=REASON_MIN_LENGTH)
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if actor.is_support_staff:  # before the tier-dependent checks: say what changed
            check_tier(ticket=ticket, expected=expected_tier)
        if not (actor.is_support_staff and can_work(ticket=ticket, user=actor)):
            raise NotAllowed(_("You cannot move this ticket."))
        if not ticket.is_active:
            raise Conflict(_("Only active tickets change tier."), code="ticket_inactive")
        if tier == ticket.tier:
            raise Conflict(
                _("The ticket is already at %(tier)s.") % {"tier": tier}, code="same_tier"
            )
        going_down = Tier.rank(tier) < Tier.rank(ticket.tier)
        if not actor.is_manager and not going_down:
            raise NotAllowed(_("Technicians send tickets down; use escalate to go up."))
        from_tier = ticket.tier
        # The tier event is public: the reason itself stays on the Escalation row.
        public_reason = _("Sent back to another tier.") if going_down else _("Moved by a manager.")
        ticket = ticket_move_tier(ticket=ticket, actor=actor, tier=tier, reason=public_reason)
        kind = EscalationKind.DEESCALATION if going_down else EscalationKind.MANUAL
        return _record(ticket=ticket, actor=actor, kind=kind, from_tier=from_tier, note=note)
