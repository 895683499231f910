"""Writes of the escalation layer. Import the functions from their modules:

- `escalation.services.sweep.escalation_sweep` — one sweep over due clocks (per batch,
  set-based: `escalation.services.batch.process_batch`; per clock as the fallback);
- `escalation.services.manual.ticket_escalate` / `ticket_deescalate` — people moving tickets;
- `escalation.services.notify` — the outbox: writing, queueing and delivering notifications.
"""
