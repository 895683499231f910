"""Celery tasks: thin, take ids, call one service, own their retries."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task

from .services.delivery import notifications_send
from .services.sweep import escalation_sweep, escalation_sweep_batch

log = logging.getLogger(__name__)


@shared_task(name="escalation.sweep", ignore_result=True)
def sweep() -> dict:
    """One sweep; the beat entry's `expires` drops runs missed during an outage."""
    result = escalation_sweep()
    if not result.skipped and (result.warnings or result.breaches or result.errors):
        log.info("Escalation sweep: %s", result.as_dict())
    return result.as_dict()


@shared_task(name="escalation.sweep_batch", ignore_result=True)
def sweep_batch(clock_ids: list[int], breach: bool, now: str) -> dict:
    """One batch a sweep handed out (`now` in ISO 8601); exactly once by its claims."""
    result = escalation_sweep_batch(
        clock_ids=clock_ids, breach=breach, now=datetime.fromisoformat(now)
    )
    if result.errors or result.fallbacks:
        log.warning("Escalation batch: %s", result.as_dict())
    return result.as_dict()


@shared_task(name="escalation.send_notifications", ignore_result=True)
def send_notifications(notification_ids: list[int]) -> int:
    """A chunk of outbox rows: each immediate row claimed and sent once, each digest
    recipient's pending rows in one e-mail. A row (or digest) that fails keeps its error
    and next attempt, and is retried on its own (`send_notification` with a countdown)."""
    result = notifications_send(ids=notification_ids)
    for notification_id, retry_in in result.retry.items():
        try:
            send_notification.apply_async((notification_id,), countdown=retry_in)
        except Exception:  # noqa: BLE001 - the row stays due; the sweep re-queues it
            log.warning("Broker unavailable; notification %s waits for the sweep", notification_id)
    return result.sent


@shared_task(name="escalation.send_notification", bind=True, ignore_result=True, max_retries=8)
def send_notification(self, notification_id: int) -> int:
    """A retry of one row (or of the digest it belongs to)."""
    result = notifications_send(ids=[notification_id])
    if notification_id in result.retry:
        raise self.retry(countdown=result.retry[notification_id])
    return result.sent
