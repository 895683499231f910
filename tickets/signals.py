"""Domain signals sent by ticket services inside their transaction.

The SLA engine and the escalation/notification layer sit above tickets and
listen here, so dependencies keep pointing one way (escalation → sla → tickets)
while a ticket write and its clock or outbox rows still commit or roll back
together. Receivers must not swallow errors: a failure rolls the write back.
"""

from django.dispatch import Signal

# requester: before a ticket is filed; a receiver answers (tier, reason) to route it above L1
# (the highest answer wins) or None
ticket_route = Signal()
# ticket, actor
ticket_created = Signal()
# The status, tier, priority and reply signals and `ticket_acknowledged` are sent before the
# rows are written: a receiver owning other columns of them may answer {ticket id: {column:
# value}} (never core columns), written with the change in one UPDATE
# (tickets.services.rows); read the tickets from the signal's arguments, not the database.

# changes (list of (ticket, before, after)), actor, notify (False: the write tells the people
# itself): status changes of one write
tickets_status_changed = Signal()
# changes (list of (ticket, before, after, reason)), actor: tickets moved to other tiers
tickets_tier_changed = Signal()
# changes (list of (ticket, before, after)), actor
tickets_priority_changed = Signal()
# changes (list of (ticket, before User|None, after User|None)), actor
tickets_assigned = Signal()
# replies (list of (ticket, reply)): the replies and internal notes of one write
tickets_replied = Signal()
# ticket, actor, with_message (a public message to the customer went with it)
ticket_acknowledged = Signal()
# tickets (list of Ticket): rows inserted in bulk by demo/benchmark tooling
tickets_bulk_created = Signal()
# events (list of TicketEvent): history rows of a write, announced once the write's effects
# (clocks, SLA columns) are done; listeners of history entries (webhooks) read them here.
ticket_events_recorded = Signal()
