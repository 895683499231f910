"""Handing outbox rows to Celery in chunks: one message per `chunk` ids, never one per row.

Outboxes (notifications, webhook deliveries) write their rows with the change and queue
them after the commit. A sweep that breaches 10,000 clocks writes 20,000 rows; a message
costs about as much as a worker's claim of the row, so rows travel `chunk` per message
and the task claims each row on its own.

One pooled connection, tried once with a short timeout: a user's request must not wait on
kombu's reconnect loop while Redis is down. A broker failure is logged, never raised: the
rows stay in the outbox and the periodic re-queue hands them over later.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)

BROKER_TIMEOUT = 2  # seconds
CHUNK = 100


def queue_in_chunks(
    task: Any, ids: Iterable[int], *, chunk: int = CHUNK, countdown: int = 0
) -> int:
    """Queue `task(ids_of_one_chunk)` for every `chunk` ids; returns how many ids reached
    the broker (the rest wait for the re-queue)."""
    ids = list(ids)
    if not ids:
        return 0
    queued = 0
    options: dict[str, Any] = {"retry": False}
    if countdown:
        options["countdown"] = countdown
    try:
        with task.app.pool.acquire(block=True, timeout=BROKER_TIMEOUT) as conn:
            conn.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0.2, timeout=BROKER_TIMEOUT
            )
            for start in range(0, len(ids), chunk):
                part = ids[start : start + chunk]
                task.apply_async((part,), connection=conn, **options)
                queued += len(part)
    except Exception:  # noqa: BLE001 - any broker failure; the outbox rows stay unsent
        log.warning(
            "Broker unavailable; %d of %d %s row(s) wait for the re-queue",
            len(ids) - queued,
            len(ids),
            task.name,
        )
    return queued
