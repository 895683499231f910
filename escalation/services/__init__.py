"""Writes of the escalation layer. Import the functions from their modules:

- `escalation.services.sweep.escalation_sweep` — one sweep over due clocks (per batch,
  set-based: `escalation.services.batch.process_batch`; per clock as the fallback);
- `escalation.services.manual.ticket_escalate` / `ticket_deescalate` — people moving tickets;
- `escalation.services.notify` — the outbox: writing and queueing notifications;
  `delivery` sends them (staff digests too), `inbox` marks them read, `preferences` saves
  people's choices per kind and channel.
"""
