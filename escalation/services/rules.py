"""What the escalation rules decide for a clock the sweep has just claimed.

Pure decisions (matching rules, move target, the outbox of a clock) used by the
batch service (services.batch), which applies them to a whole batch at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from accounts.models import Tier
from accounts.selectors import managers, team_leads, technicians_of_tier
from sla.models import ClockKind
from tickets.models import Priority
from tickets.permissions import can_work
from tickets.services import ticket_assign, ticket_change_priority

from .. import messages
from ..models import Escalation, EscalationKind, EscalationRule, NotificationKind, Trigger
from .notify import Message, messages_for_readers

if TYPE_CHECKING:
    from accounts.models import User
    from sla.models import Clock
    from tickets.models import Ticket


class Audience:
    """Who is in a tier group, who leads it, who manages: read once per sweep."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], list[User]] = {}

    def _get(self, key: tuple[str, str], query) -> list[User]:
        if key not in self._cache:
            self._cache[key] = list(query())
        return self._cache[key]

    def tier_group(self, tier: str) -> list[User]:
        return self._get(("group", tier), lambda: technicians_of_tier(tier=tier))

    def team_leads(self, tier: str) -> list[User]:
        return self._get(("lead", tier), lambda: team_leads(tier=tier))

    def managers(self) -> list[User]:
        return self._get(("managers", ""), managers)


def active_rules() -> list[EscalationRule]:
    return list(EscalationRule.objects.filter(active=True).select_related("assign_to"))


def matching_rules(
    *, clock: Clock, ticket: Ticket, breach: bool, rules: list[EscalationRule]
) -> tuple[Trigger, list[EscalationRule]]:
    trigger = Trigger.of(clock_kind=clock.kind, breach=breach)
    # A response clock belongs to the tier it was started in; resolution clocks to the ticket.
    rule_tier = clock.tier if clock.kind == ClockKind.RESPONSE else ticket.tier
    matching = [
        r for r in rules if r.matches(trigger=trigger, tier=rule_tier, priority=ticket.priority)
    ]
    return trigger, matching


def move_target(*, clock: Clock, ticket: Ticket, matching: list[EscalationRule]) -> str | None:
    """The tier the rules move the ticket to, if any (only from the clock's own tier)."""
    next_tier = Tier.next_above(ticket.tier)
    still_in_tier = clock.kind != ClockKind.RESPONSE or ticket.tier == clock.tier
    moves = any(r.move_to_next_tier for r in matching)
    if moves and next_tier and still_in_tier and ticket.is_active:
        return next_tier
    return None


def tells_group(matching: list[EscalationRule]) -> bool:
    return any(r.notify_tier_group for r in matching)


def raises_priority(*, ticket: Ticket, matching: list[EscalationRule]) -> bool:
    return any(r.raise_priority for r in matching) and ticket.priority != Priority.P1


def rule_assignee(*, ticket: Ticket, matching: list[EscalationRule]) -> User | None:
    """The user a rule assigns the ticket to, if the assignment applies now."""
    assignee = next((r.assign_to for r in matching if r.assign_to_id), None)
    if (
        assignee is not None
        and ticket.assignee_id != assignee.pk
        and ticket.is_active
        and assignee.is_active
        and can_work(ticket=ticket, user=assignee)
    ):
        return assignee
    return None


def follow_up_rules(
    *, ticket: Ticket, matching: list[EscalationRule], actions: list[str]
) -> Ticket:
    """Priority raise and assignment, after any tier move, through the ticket services."""
    if raises_priority(ticket=ticket, matching=matching):
        raised = Priority.raised(ticket.priority)
        ticket = ticket_change_priority(ticket=ticket, actor=None, priority=raised)
        actions.append(f"priority:{raised}")
    assignee = rule_assignee(ticket=ticket, matching=matching)
    if assignee is not None:
        # The rule acts in the assignee's name: ticket_assign needs a staff actor.
        ticket = ticket_assign(ticket=ticket, actor=assignee, assignee=assignee)
        actions.append(f"assigned:{assignee.pk}")
    return ticket


def escalation_fields(
    *,
    ticket: Ticket,
    clock: Clock,
    breach: bool,
    matching: list[EscalationRule],
    from_tier: str,
    actions: list[str],
    now: datetime,
) -> dict:
    return {
        "ticket_id": ticket.pk,
        "from_tier": from_tier,
        "to_tier": ticket.tier,
        "clock_id": clock.pk,
        "kind": EscalationKind.BREACH if breach else EscalationKind.WARNING,
        "note": ", ".join(r.name for r in matching),
        "actions": actions,
        "created_at": now,
    }


def escalated_event_facts(*, record: Escalation, clock: Clock, trigger: str) -> dict:
    """before/after of the ESCALATED event."""
    return {
        "before": {"tier": record.from_tier},
        "after": {
            "tier": record.to_tier,
            "escalation": record.pk,
            "clock": clock.pk,
            "trigger": str(trigger),
            "actions": record.actions,
        },
    }


def clock_outbox(
    *,
    ticket: Ticket,
    clock: Clock,
    breach: bool,
    rules: list[EscalationRule],
    audience: Audience,
    moved_from: str,
) -> tuple[list[Message], str]:
    """The messages of one warned or breached clock, and their cause key."""
    staff: dict[int, User] = {}
    group: dict[int, User] = {}

    def add(target: dict[int, User], users) -> None:
        target.update((u.pk, u) for u in users)

    for rule in rules:
        if rule.notify_assignee:
            if ticket.assignee_id:
                add(staff, [ticket.assignee])
            else:
                add(group, audience.tier_group(ticket.tier))
        if rule.notify_tier_group:
            add(group, audience.tier_group(ticket.tier))
        if rule.notify_team_lead:
            add(staff, audience.team_leads(ticket.tier))
        if rule.notify_manager:
            add(staff, audience.managers())
    for pk in staff:
        group.pop(pk, None)

    def build(reader: User) -> tuple[str, str]:
        return messages.clock_message(
            ticket=ticket, clock=clock, breach=breach, moved_from=moved_from
        )

    if clock.kind == ClockKind.NEXT_RESPONSE:
        sla_kind = NotificationKind.ANSWER_OWED  # a customer waits: its own notice kind
    else:
        sla_kind = NotificationKind.SLA_BREACH if breach else NotificationKind.SLA_WARNING
    group_kind = NotificationKind.ESCALATED if moved_from != ticket.tier else sla_kind
    texts: dict[tuple, tuple[str, str]] = {}  # one rendering per reader kind for both lists
    outbox = messages_for_readers(staff.values(), sla_kind, build, texts=texts)
    outbox += messages_for_readers(group.values(), group_kind, build, texts=texts)
    if any(r.notify_requester for r in rules):
        # Customers learn that the ticket got attention, not the internal routing.
        outbox += messages_for_readers(
            [ticket.requester],
            NotificationKind.STATUS,
            lambda reader: (
                f"[{ticket.reference}] {ticket.subject}",
                messages.customer_escalation_body(ticket=ticket),
            ),
        )
    return outbox, f"clock:{clock.pk}:{'breach' if breach else 'warning'}"
