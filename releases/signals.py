"""Domain signals of maintenance releases, sent inside the publishing transaction.

Integrations (webhooks) listen here, as they listen to the history entries ticket writes
announce (`tickets.signals.ticket_events_recorded`), so releases import no interface app.
"""

from django.dispatch import Signal

# release, resolved (how many tickets it resolved), problems (the Problems it moved to
# fixed): sent once, after every other effect of publishing
release_published = Signal()
