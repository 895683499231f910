"""People moving tickets between tiers: escalation with a hand-off note, de-escalation.

The UI and the API (one ticket or a bulk action) call exactly these services, which
take many tickets; the single-ticket ones are the list of one. They move the tickets
with tickets.services.tickets_move_tier, so the SLA engine starts the new tier's
response clock and an assignee who cannot follow is released.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from tickets.services import Outcome, TierMove, lock_many, tickets_move_tier

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


def _record(
    *, moved: Sequence[tuple[Ticket, str]], actor: User, kinds: Sequence[str], note: str
) -> list[Escalation]:
    """Escalation rows and their (internal) events for tickets just moved from `from_tier`."""
    now = timezone.now()
    records = Escalation.objects.bulk_create(
        [
            Escalation(
                ticket=ticket,
                from_tier=from_tier,
                to_tier=ticket.tier,
                kind=kind,
                actor=actor,
                note=note,
                actions=[f"moved:{from_tier}->{ticket.tier}"],
                created_at=now,
            )
            for (ticket, from_tier), kind in zip(moved, kinds, strict=True)
        ]
    )
    # The note itself stays on the Escalation row: staff read it on the ticket page.
    events.insert(
        [
            events.build(
                ticket=ticket,
                kind=EventKind.ESCALATED
                if record.kind == EscalationKind.MANUAL
                else EventKind.DEESCALATED,
                actor=actor,
                before={"tier": from_tier},
                after={"tier": ticket.tier, "escalation": record.pk},
                internal=True,
            )
            for (ticket, from_tier), record in zip(moved, records, strict=True)
        ]
    )
    return records


def _move(
    *,
    tickets: Sequence[Ticket],
    actor: User,
    note: str,
    check: Callable[[Ticket], None],
    plan: Callable[[Ticket], tuple[str, str, str]],
) -> list[Outcome]:
    """Lock, judge each ticket (`check` raises its refusal), move the rest set-based to
    `plan(ticket)` = (tier, public reason, escalation kind) and record each move."""
    with transaction.atomic():
        fresh = lock_many([t.pk for t in tickets])
        current = [fresh[t.pk] for t in tickets]
        refusals: list[ApplicationError | None] = []
        for ticket in current:
            try:
                check(ticket)
            except ApplicationError as refused:
                refusals.append(refused)
            else:
                refusals.append(None)
        going = [t for t, refused in zip(current, refusals, strict=True) if refused is None]
        plans = [plan(t) for t in going]
        moved = [(t, t.tier) for t in going]
        tickets_move_tier(
            moves=[TierMove(t, tier, reason) for t, (tier, reason, _k) in zip(going, plans)],
            actor=actor,
            locked_by_caller=True,
        )
        records = _record(moved=moved, actor=actor, kinds=[k for _t, _r, k in plans], note=note)
    done = dict(zip([t.pk for t in going], records, strict=True))
    return [
        Outcome(t, refused, done.get(t.pk)) for t, refused in zip(current, refusals, strict=True)
    ]


def _record_of(outcome: Outcome) -> Escalation:
    outcome.unwrap()
    assert outcome.record is not None
    return outcome.record


def tickets_escalate(
    *,
    tickets: Sequence[Ticket],
    actor: User,
    handoff_note: str,
    expected_tier: str | None = None,
) -> list[Outcome]:
    """Move each ticket one tier up with the same hand-off note (400 without one; per
    ticket 403 if the actor may not, 409 at L3, inactive, or when `expected_tier`, the
    tier the caller saw, is no longer the ticket's); the rest set-based."""
    note = _note(handoff_note, field="handoff_note", minimum=HANDOFF_MIN_LENGTH)

    def check(ticket: Ticket) -> None:
        if actor.is_support_staff:  # before the tier-dependent checks: say what changed
            check_tier(ticket=ticket, expected=expected_tier)
        if not (actor.is_support_staff and can_work(ticket=ticket, user=actor)):
            raise NotAllowed(_("Only support staff of this tier can escalate the ticket."))
        if not ticket.is_active:
            raise Conflict(_("Only active tickets can be escalated."), code="ticket_inactive")
        if Tier.next_above(ticket.tier) is None:
            raise Conflict(_("The ticket is already at the highest tier."), code="top_tier")

    reason = _("Escalated with a hand-off note.")
    return _move(
        tickets=tickets,
        actor=actor,
        note=note,
        check=check,
        plan=lambda t: (Tier.next_above(t.tier) or "", reason, EscalationKind.MANUAL),
    )


def ticket_escalate(
    *, ticket: Ticket, actor: User, handoff_note: str, expected_tier: str | None = None
) -> Escalation:
    """`tickets_escalate` for one ticket: its Escalation record, or the refusal raised."""
    (outcome,) = tickets_escalate(
        tickets=[ticket], actor=actor, handoff_note=handoff_note, expected_tier=expected_tier
    )
    return _record_of(outcome)


def tickets_deescalate(
    *,
    tickets: Sequence[Ticket],
    actor: User,
    tier: str,
    reason: str,
    expected_tier: str | None = None,
) -> list[Outcome]:
    """Managers move tickets to any other tier; L2/L3 technicians send them down only
    (409 when `expected_tier`, the tier the caller saw, is no longer the ticket's)."""
    if tier not in Tier.values:
        raise field_error("tier", _("Unknown tier “%(t)s”.") % {"t": tier})
    note = _note(reason, field="reason", minimum=REASON_MIN_LENGTH)

    def check(ticket: Ticket) -> None:
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
        if not actor.is_manager and Tier.rank(tier) >= Tier.rank(ticket.tier):
            raise NotAllowed(_("Technicians send tickets down; use escalate to go up."))

    def plan(ticket: Ticket) -> tuple[str, str, str]:
        # The tier event is public: the reason itself stays on the Escalation row.
        if Tier.rank(tier) < Tier.rank(ticket.tier):
            return tier, _("Sent back to another tier."), EscalationKind.DEESCALATION
        return tier, _("Moved by a manager."), EscalationKind.MANUAL

    return _move(tickets=tickets, actor=actor, note=note, check=check, plan=plan)


def ticket_deescalate(
    *, ticket: Ticket, actor: User, tier: str, reason: str, expected_tier: str | None = None
) -> Escalation:
    (outcome,) = tickets_deescalate(
        tickets=[ticket], actor=actor, tier=tier, reason=reason, expected_tier=expected_tier
    )
    return _record_of(outcome)
