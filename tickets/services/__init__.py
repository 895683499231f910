"""Every write to a ticket: one transaction each, an event for each change.

Callers pass a ticket they fetched through `Ticket.objects.visible_to(user)`;
the services re-read it under a row lock and decide whether the user may act.
Signals (tickets.signals) let the SLA engine and notifications join the same
transaction without tickets importing them.

- inputs.py: text and file checks shared by the services
- create.py: filing a ticket
- changes.py: status, assignee, priority and tier changes (`assignee_named`: the one lookup
  of an assignee given by id, for the ticket page and the API)
- replies.py: replies, internal notes, attachments
"""

from .changes import (
    Outcome,
    TierMove,
    assignee_named,
    ticket_acknowledge,
    ticket_assign,
    ticket_change_priority,
    ticket_change_status,
    ticket_move_tier,
    ticket_rate,
    tickets_assign,
    tickets_change_priority,
    tickets_change_status,
    tickets_move_tier,
)
from .create import ticket_create
from .inputs import MAX_FILES, MAX_SUBJECT, MAX_TEXT, lock_many
from .replies import ticket_add_attachments, ticket_reply, tickets_add_note

__all__ = [
    "MAX_FILES",
    "MAX_SUBJECT",
    "MAX_TEXT",
    "ticket_acknowledge",
    "ticket_add_attachments",
    "assignee_named",
    "ticket_assign",
    "ticket_change_priority",
    "ticket_change_status",
    "ticket_create",
    "ticket_move_tier",
    "ticket_rate",
    "ticket_reply",
    "tickets_move_tier",
    "TierMove",
    "Outcome",
    "lock_many",
    "tickets_assign",
    "tickets_change_priority",
    "tickets_change_status",
    "tickets_add_note",
]
