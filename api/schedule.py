"""The beat entry that re-queues webhook deliveries whose message was lost.

Kept in django-celery-beat's tables and created after every migrate (like the
escalation sweep), so `make run`, docker-compose and tests all have it.
"""

from __future__ import annotations

REQUEUE_TASK_NAME = "webhook-requeue"
REQUEUE_INTERVAL_SECONDS = 60


def ensure_requeue_schedule(*, using: str = "default") -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _ = IntervalSchedule.objects.using(using).get_or_create(
        every=REQUEUE_INTERVAL_SECONDS, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.using(using).get_or_create(
        name=REQUEUE_TASK_NAME,
        defaults={
            "task": "api.tasks.webhook_requeue_due",
            "interval": every,
            "expire_seconds": REQUEUE_INTERVAL_SECONDS,
        },
    )


def on_post_migrate(sender, using="default", **kwargs) -> None:
    ensure_requeue_schedule(using=using)
