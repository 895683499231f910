"""A help desk's last 90 days as demo data: `manage.py seed_demo --tickets N`.

Each ticket lives a believable life on a timeline that ends now: filed on a working day
(mostly business hours), answered, paused while waiting on the customer, put on hold,
escalated with hand-off notes, breached and escalated by the sweep's rules, resolved,
rated and sometimes reopened. Tickets filed lately are still open, at whatever point of
their life now is; their deadlines follow from their real start, so the sweep finds a few
breaches an hour afterwards, not a flood.

Why not the ticket services with a moving clock: the services stamp `timezone.now()`, and
the history must lie in the past (time-machine is a test dependency only). So the life
is written with the same pieces the services use: the event builders (tickets.events,
sla.events), the agreement's policy and business calendar with the deadline maths
(sla.services.deadlines), `finish` for meeting and stopping clocks, the SLA column
mirror (sla_columns) and the escalation rules (`EscalationRule.matches`). History writes
send no notifications: nobody is told today about what happened last month.

- seeding.py: the people, when tickets are filed, the batched writes
- life.py: one ticket's life (who, what they write, the plot of its days)
- timeline.py: its clocks, pauses, warnings, breaches and rule consequences
- texts.py: the words, in English and German
"""

from .seeding import DEFAULT_TICKETS, ensure_people, seed_desk

__all__ = ["DEFAULT_TICKETS", "ensure_people", "seed_desk"]
