"""Thin Celery tasks: send a batch of webhook deliveries; re-queue what a lost message left."""

from __future__ import annotations

from celery import shared_task

from .webhooks import services


@shared_task(ignore_result=True)
def webhook_deliver_batch(delivery_ids: list[int]) -> int:
    """Up to 100 deliveries (one message): each claimed and sent once; a failed row's retry
    (with the rows of its hook it held back) goes back to the broker with its backoff."""
    outcome = services.deliveries_send(delivery_ids=delivery_ids)
    for ids, countdown in outcome.retries:
        services.enqueue(ids, countdown=countdown)
    return len(outcome.attempted)


@shared_task(ignore_result=True)
def webhook_deliver(delivery_id: int) -> None:
    """One delivery: messages queued before deliveries travelled in batches."""
    webhook_deliver_batch([delivery_id])


@shared_task(ignore_result=True)
def webhook_requeue_due() -> int:
    """Run from beat (every minute): sends what a lost message or a crash left pending."""
    return services.deliveries_requeue()
