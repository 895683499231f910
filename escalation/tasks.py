"""Celery tasks: thin, take ids, call one service, own their retries."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import shared_task

from .services.notify import DeliveryFailed, notification_deliver
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
    """A chunk of outbox rows, each claimed and sent once. A row that fails keeps its error
    and next attempt, and is retried on its own (`send_notification` with a countdown)."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += notification_deliver(notification_id=notification_id)
        except DeliveryFailed as failed:
            if failed.retry_in is None:
                log.error("Notification %s gave up: %s", notification_id, failed)
                continue
            try:
                send_notification.apply_async((notification_id,), countdown=failed.retry_in)
            except Exception:  # noqa: BLE001 - the row stays due; the sweep re-queues it
                log.warning(
                    "Broker unavailable; notification %s waits for the sweep", notification_id
                )
    return sent


@shared_task(name="escalation.send_notification", bind=True, ignore_result=True, max_retries=8)
def send_notification(self, notification_id: int) -> bool:
    try:
        return notification_deliver(notification_id=notification_id)
    except DeliveryFailed as failed:
        if failed.retry_in is None:
            log.error("Notification %s gave up: %s", notification_id, failed)
            return False
        raise self.retry(countdown=failed.retry_in, exc=failed) from failed
