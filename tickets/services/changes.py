"""Changes of a ticket's core columns: status, assignee, priority, tier.

Only these services write a ticket's tier, assignee, status and priority. Each write
inserts its events, sends its domain signal (the SLA engine and the outbox join the
transaction), then announces the events (`events.announce`: webhooks), so listeners of
history entries see the state after every effect of the write.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tier
from common.errors import ApplicationError, Conflict, NotAllowed, field_error

from .. import events, expected, signals
from ..models import Participation, Priority, Status, Ticket
from ..permissions import can_work, is_customer_party, transition_refusal
from ..selectors import assignable_users
from .inputs import MAX_TEXT, clean_text, lock_many, locked
from .participation import participations_record
from .rows import Answered, answered_columns, tickets_write

if TYPE_CHECKING:
    from accounts.models import User

    from ..models import TicketEvent


@dataclass
class Outcome:
    """What a set-based service did to one ticket: the ticket, or why it was refused
    (and what it made, e.g. the escalation record or the note)."""

    ticket: Ticket
    error: ApplicationError | None = None
    record: Any = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def unwrap(self) -> Ticket:
        """The ticket, or the refusal raised (the single-ticket services' behaviour)."""
        if self.error is not None:
            raise self.error
        return self.ticket


def _act(tickets: Sequence[Ticket], check) -> tuple[list[Outcome], list[Ticket]]:
    """Lock the tickets, ask `check(ticket)` for a refusal each; (outcomes, allowed tickets)."""
    fresh = lock_many([t.pk for t in tickets])
    outcomes = []
    for ticket in tickets:
        current = fresh[ticket.pk]
        try:
            check(current)
        except ApplicationError as refused:
            outcomes.append(Outcome(current, refused))
        else:
            outcomes.append(Outcome(current))
    return outcomes, [o.ticket for o in outcomes if o.ok]


def tickets_change_status(
    *,
    tickets: Sequence[Ticket],
    actor: User,
    status: str,
    expected_status: str | None = None,
    notify: bool = True,
) -> list[Outcome]:
    """Move each ticket to `status` where its state machine and the actor allow it; one
    Outcome per ticket (refused ones: 409 invalid_transition, or stale when
    `expected_status`, the status the caller saw, is no longer the ticket's), the rest
    changed set-based.

    `notify=False`: the caller sends its own notice of the change in the same write (a
    release's "fixed in", a merge's "merged into"), so the plain status notice to the
    requester and watchers would be a second mail for one cause."""
    if status not in Status.values:
        raise field_error("status", _("Unknown status “%(s)s”.") % {"s": status})

    def check(ticket: Ticket) -> None:
        expected.check_status(ticket=ticket, expected=expected_status)
        refusal = transition_refusal(ticket=ticket, user=actor, target=status)
        if refusal:
            raise Conflict(refusal, code="invalid_transition")

    with transaction.atomic():
        outcomes, allowed = _act(tickets, check)
        events.announce(set_statuses(tickets=allowed, actor=actor, status=status, notify=notify))
    return outcomes


def ticket_change_status(
    *,
    ticket: Ticket,
    actor: User,
    status: str,
    expected_status: str | None = None,
    notify: bool = True,
) -> Ticket:
    """`tickets_change_status` for one ticket: the ticket, or the refusal raised."""
    (outcome,) = tickets_change_status(
        tickets=[ticket],
        actor=actor,
        status=status,
        expected_status=expected_status,
        notify=notify,
    )
    return outcome.unwrap()


STATUS_COLUMNS = ("status", "updated_at", "resolved_at", "closed_at")


def set_statuses(
    *, tickets: Sequence[Ticket], actor: User | None, status: str, notify: bool = True
) -> list[TicketEvent]:
    """Apply a status change already judged legal to locked tickets: events, signal, rows.
    Returns the events, for the caller to announce once its write is complete."""
    recorded, answered = statuses_change(tickets=tickets, actor=actor, status=status, notify=notify)
    if tickets:
        tickets_write(tickets=tickets, columns=STATUS_COLUMNS, answered=answered)
    return recorded


def statuses_change(
    *, tickets: Sequence[Ticket], actor: User | None, status: str, notify: bool = True
) -> tuple[list[TicketEvent], Answered]:
    """`set_statuses` without the rows: the instances, events and signal. The caller
    writes `STATUS_COLUMNS` (and its own columns) with the answered ones in one UPDATE."""
    if not tickets:
        return [], {}
    now = timezone.now()
    changes = []
    built = []
    for ticket in tickets:
        before = ticket.status
        ticket.status, ticket.updated_at = status, now
        if status == Status.RESOLVED:
            ticket.resolved_at = now
        elif status == Status.CLOSED:
            ticket.closed_at = now
        elif before in (Status.RESOLVED, Status.CLOSED):
            ticket.resolved_at = None
            ticket.closed_at = None
        built.append(events.status_changed(ticket=ticket, actor=actor, before=before, after=status))
        changes.append((ticket, before, status))
    recorded = events.insert(built)
    # The SLA engine answers the tickets' SLA columns (paused, resumed, met, stopped or new
    # clocks): the rows are written once, with the status.
    answers = signals.tickets_status_changed.send(
        sender=Ticket, changes=changes, actor=actor, notify=notify
    )
    return recorded, answered_columns(answers)


def tickets_assign(
    *,
    tickets: Sequence[Ticket],
    actor: User,
    assignee: User | None,
    expected_assignee: User | int | None | expected.NotGiven = expected.NOT_GIVEN,
) -> list[Outcome]:
    """Assign each ticket to a technician who can work its tier, or unassign (None); a new
    ticket that gets an assignee opens. One Outcome per ticket; the rest set-based.

    `expected_assignee`: who the caller saw holding the tickets (None: nobody); 409 if that
    changed. Without it, claiming (assigning oneself) a ticket someone else holds is a 409
    naming the holder; assigning someone else (a manager's reassignment) is not.
    """

    def check(ticket: Ticket) -> None:
        if not can_work(ticket=ticket, user=actor):
            raise NotAllowed(_("Only staff can assign tickets."))
        expected.check_assignee(
            ticket=ticket, actor=actor, assignee=assignee, expected=expected_assignee
        )
        if assignee is not None:
            if not assignee.is_active or not can_work(ticket=ticket, user=assignee):
                raise field_error(
                    "assignee",
                    _("%(user)s cannot work a %(tier)s ticket.")
                    % {"user": assignee, "tier": ticket.tier},
                )
            climbing = Tier.rank(assignee.tier or Tier.L3) > Tier.rank(actor.tier or Tier.L3)
            if actor.is_technician and assignee.pk != actor.pk and climbing:
                raise NotAllowed(_("Technicians cannot assign to a higher tier; escalate instead."))

    target = assignee.pk if assignee else None
    with transaction.atomic():
        outcomes, allowed = _act(tickets, check)
        changing = [t for t in allowed if t.assignee_id != target]
        if not changing:
            return outcomes
        now = timezone.now()
        befores = {t.pk: t.assignee for t in changing}
        for ticket in changing:
            ticket.assignee, ticket.updated_at = assignee, now
        participations_record(
            worked=[
                (t.pk, person, Participation.ASSIGNED)
                for t in changing
                for person in (target, actor.pk)
            ],
            at=now,
        )
        # New tickets that get an assignee open: in the same one write of the rows (the
        # others keep their status columns as they are).
        opening = [t for t in changing if t.status == Status.NEW] if assignee is not None else []
        recorded, answered = statuses_change(tickets=opening, actor=actor, status=Status.OPEN)
        tickets_write(
            tickets=changing,
            columns=("assignee_id", *STATUS_COLUMNS) if opening else ("assignee_id", "updated_at"),
            answered=answered,
        )
        recorded += events.insert(
            [
                events.assignee_changed(ticket=t, actor=actor, before=befores[t.pk], after=assignee)
                for t in changing
            ]
        )
        signals.tickets_assigned.send(
            sender=Ticket,
            changes=[(t, befores[t.pk], assignee) for t in changing],
            actor=actor,
        )
        events.announce(recorded)
    return outcomes


def ticket_assign(
    *,
    ticket: Ticket,
    actor: User,
    assignee: User | None,
    expected_assignee: User | int | None | expected.NotGiven = expected.NOT_GIVEN,
) -> Ticket:
    """`tickets_assign` for one ticket: the ticket, or the refusal raised."""
    (outcome,) = tickets_assign(
        tickets=[ticket], actor=actor, assignee=assignee, expected_assignee=expected_assignee
    )
    return outcome.unwrap()


def assignee_named(*, ticket: Ticket, actor: User, assignee_id: int | None) -> User | None:
    """The assignee a form or the API names by id (None: nobody), among the users the ticket
    can be assigned to; a caller who cannot work the ticket is refused first, as
    `ticket_assign` would refuse them."""
    if not assignee_id:
        return None
    if not can_work(ticket=ticket, user=actor):
        raise NotAllowed(_("Only staff can assign tickets."))
    found = assignable_users(ticket=ticket).filter(pk=assignee_id).first()
    if found is None:
        raise field_error("assignee", _("Choose someone who can work this ticket."))
    return found


def tickets_change_priority(
    *, tickets: Sequence[Ticket], actor: User | None, priority: str
) -> list[Outcome]:
    """Staff change the priority; `actor=None` is the system (escalation rules). One
    Outcome per ticket; the running clocks of the changed ones are recomputed."""
    if priority not in Priority.values:
        raise field_error("priority", _("Unknown priority “%(p)s”.") % {"p": priority})

    def check(ticket: Ticket) -> None:
        if actor is not None and not can_work(ticket=ticket, user=actor):
            raise NotAllowed(_("Only staff can change the priority."))

    with transaction.atomic():
        outcomes, allowed = _act(tickets, check)
        changing = [t for t in allowed if t.priority != priority]
        if not changing:
            return outcomes
        now = timezone.now()
        changes = [(t, t.priority, priority) for t in changing]
        for ticket in changing:
            ticket.priority, ticket.updated_at = priority, now
        recorded = events.insert(
            [
                events.priority_changed(ticket=t, actor=actor, before=before, after=after)
                for t, before, after in changes
            ]
        )
        # The SLA engine answers the recomputed deadlines: the rows are written once.
        answers = signals.tickets_priority_changed.send(sender=Ticket, changes=changes, actor=actor)
        tickets_write(
            tickets=changing,
            columns=("priority", "updated_at"),
            answered=answered_columns(answers),
        )
        events.announce(recorded)
    return outcomes


def ticket_change_priority(*, ticket: Ticket, actor: User | None, priority: str) -> Ticket:
    return tickets_change_priority(tickets=[ticket], actor=actor, priority=priority)[0].unwrap()


@dataclass(frozen=True)
class TierMove:
    ticket: Ticket
    tier: str
    reason: str


def tickets_move_tier(
    *, moves: Sequence[TierMove], actor: User | None, locked_by_caller: bool = False
) -> list[Ticket]:
    """Move tickets to other tiers (the escalation layer decides who may), set-based.

    An assignee who cannot work the new tier is released, so the ticket lands unclaimed
    in the new queue. Sends `tickets_tier_changed` once for all moves (the SLA engine
    starts the new tiers' response clocks, the outbox tells the tier groups).
    `locked_by_caller`: the tickets are current and locked in this transaction (the
    sweep's batch), else they are read again under a row lock. All or nothing: a move
    that is not allowed raises, and nothing is moved. Returns the moved tickets.
    """
    tiers = Tier.values
    for move in moves:
        if move.tier not in tiers:
            raise field_error("tier", _("Unknown tier “%(t)s”.") % {"t": move.tier})
    if not moves:
        return []
    with transaction.atomic():
        if locked_by_caller:
            tickets = [move.ticket for move in moves]
        else:
            fresh = lock_many([move.ticket.pk for move in moves])
            tickets = [fresh[move.ticket.pk] for move in moves]
        now = timezone.now()
        changes: list[tuple[Ticket, str, str, str]] = []
        built: list[TicketEvent] = []
        for ticket, move in zip(tickets, moves, strict=True):
            if not ticket.is_active:
                raise Conflict(_("Only active tickets change tier."), code="ticket_inactive")
            before = ticket.tier
            if before == move.tier:
                raise Conflict(
                    _("The ticket is already at %(tier)s.") % {"tier": move.tier},
                    code="same_tier",
                )
            ticket.tier, ticket.updated_at = move.tier, now
            built.append(
                events.tier_changed(
                    ticket=ticket, actor=actor, before=before, after=move.tier, reason=move.reason
                )
            )
            assignee = ticket.assignee
            if assignee is not None and not can_work(ticket=ticket, user=assignee):
                built.append(
                    events.assignee_changed(ticket=ticket, actor=actor, before=assignee, after=None)
                )
                ticket.assignee = None
            changes.append((ticket, before, move.tier, move.reason))
        if actor is not None:
            participations_record(
                worked=[
                    (
                        ticket.pk,
                        actor.pk,
                        Participation.ESCALATED
                        if Tier.rank(after) > Tier.rank(before)
                        else Participation.DEESCALATED,
                    )
                    for ticket, before, after, _reason in changes
                ],
                at=now,
            )
        recorded = events.insert(built)
        # The SLA engine answers the moved tickets' SLA columns (new tier's deadlines): the
        # rows are written once, with the move.
        answers = signals.tickets_tier_changed.send(sender=Ticket, changes=changes, actor=actor)
        tickets_write(
            tickets=tickets,
            columns=("tier", "assignee_id", "updated_at"),
            answered=answered_columns(answers),
        )
        events.announce(recorded)
    return tickets


def ticket_move_tier(*, ticket: Ticket, actor: User | None, tier: str, reason: str) -> Ticket:
    """`tickets_move_tier` for one ticket."""
    return tickets_move_tier(moves=[TierMove(ticket, tier, reason)], actor=actor)[0]


def ticket_acknowledge(*, ticket: Ticket, actor: User, message: str = "") -> Ticket:
    """A technician of the ticket's tier confirms the request, with a public message to the
    customer: that message meets the response clock. Without one the clock keeps running,
    unless the agreement allows a silent acknowledgement (decided by the SLA engine)."""
    from .replies import ticket_reply

    text = clean_text(message, field="message", max_length=MAX_TEXT, required=False)
    with transaction.atomic():
        ticket = locked(ticket)
        if not can_work(ticket=ticket, user=actor):
            raise NotAllowed(_("Only staff can acknowledge tickets."))
        if not ticket.is_active:
            raise Conflict(_("Only active tickets can be acknowledged."), code="ticket_inactive")
        if text:
            ticket_reply(ticket=ticket, author=actor, body=text)  # records the participation
            ticket = locked(ticket)
        else:
            participations_record(worked=[(ticket.pk, actor.pk, Participation.ACKNOWLEDGED)])
        recorded = events.insert(
            [events.acknowledged(ticket=ticket, actor=actor, with_message=bool(text))]
        )
        opening = [ticket] if ticket.status == Status.NEW else []
        opened, answered = statuses_change(tickets=opening, actor=actor, status=Status.OPEN)
        recorded += opened
        # The SLA engine answers the met response clock (where a silent acknowledgement
        # meets it): written with the opening, in one UPDATE of the row, or alone.
        answers = signals.ticket_acknowledged.send(
            sender=Ticket, ticket=ticket, actor=actor, with_message=bool(text)
        )
        answered = answered_columns(answers, into=answered)
        if opening or answered:
            tickets_write(
                tickets=[ticket], columns=STATUS_COLUMNS if opening else (), answered=answered
            )
        events.announce(recorded)
    return ticket


def ticket_rate(*, ticket: Ticket, actor: User, rating: int, comment: str = "") -> Ticket:
    """The customer rates a resolved or closed ticket, once, 1 to 5."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise field_error("rating", _("Choose a rating from 1 to 5."))
    comment = clean_text(comment, field="comment", max_length=5000, required=False)
    with transaction.atomic():
        ticket = locked(ticket)
        if not is_customer_party(ticket=ticket, user=actor):
            raise NotAllowed(_("Only the customer can rate a ticket."))
        if ticket.status not in (Status.RESOLVED, Status.CLOSED):
            raise Conflict(_("A ticket can be rated once it is resolved."), code="not_resolved")
        if ticket.satisfaction_rating is not None:
            raise Conflict(_("This ticket has already been rated."), code="already_rated")
        ticket.satisfaction_rating = rating
        ticket.satisfaction_comment = comment
        ticket.save(update_fields=["satisfaction_rating", "satisfaction_comment", "updated_at"])
        events.announce(events.insert([events.rated(ticket=ticket, actor=actor, rating=rating)]))
    return ticket
