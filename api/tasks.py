"""Thin Celery tasks: send a webhook delivery; re-queue deliveries whose message was lost."""

from __future__ import annotations

from celery import shared_task

from .webhooks import services


@shared_task(ignore_result=True)
def webhook_deliver(delivery_id: int) -> None:
    delivery = services.delivery_attempt(delivery_id=delivery_id)
    if delivery is not None and delivery.status == "pending" and delivery.next_attempt_at:
        services.enqueue([delivery.pk], countdown=services.backoff_seconds(delivery.attempt_count))


@shared_task(ignore_result=True)
def webhook_requeue_due() -> int:
    """Run from beat (e.g. every minute): sends what a lost message or a crash left pending."""
    ids = services.deliveries_due()
    services.enqueue(ids)
    return len(ids)
