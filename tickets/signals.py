"""Domain signals sent by ticket services inside their transaction.

The SLA engine and the escalation/notification layer sit above tickets and
listen here, so dependencies keep pointing one way (escalation → sla → tickets)
while a ticket write and its clock or outbox rows still commit or roll back
together. Receivers must not swallow errors: a failure rolls the write back.
"""

from django.dispatch import Signal

# ticket, actor
ticket_created = Signal()
# ticket, actor, before, after
ticket_status_changed = Signal()
# ticket, actor, before, after, reason
ticket_tier_changed = Signal()
# ticket, actor, before, after
ticket_priority_changed = Signal()
# ticket, actor, before (User|None), after (User|None)
ticket_assigned = Signal()
# ticket, reply
ticket_replied = Signal()
# ticket, actor
ticket_acknowledged = Signal()
# tickets (list of Ticket): rows inserted in bulk by demo/benchmark tooling
tickets_bulk_created = Signal()
# events (list of TicketEvent): history rows inserted in bulk (the escalation sweep's set-based
# path), which get no post_save; listeners of ticket events (webhooks) read them here.
ticket_events_bulk_recorded = Signal()
