"""The beat entry of the sweep, kept in django-celery-beat's tables.

Created (or brought in line with TIERDESK_ESCALATION_INTERVAL_SECONDS) after
every migrate, so `make run`, docker-compose and the test database all get it.
`expire_seconds` equals the interval: a sweep that could not start before the
next one is due is dropped instead of piling up behind a broker outage.
"""

from __future__ import annotations

from django.conf import settings

SWEEP_TASK_NAME = "escalation-sweep"


def ensure_sweep_schedule(*, interval_seconds: int | None = None, using: str = "default") -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    seconds = max(int(interval_seconds or settings.TIERDESK_ESCALATION_INTERVAL_SECONDS), 1)
    every, _ = IntervalSchedule.objects.using(using).get_or_create(
        every=seconds, period=IntervalSchedule.SECONDS
    )
    task, created = PeriodicTask.objects.using(using).get_or_create(
        name=SWEEP_TASK_NAME,
        defaults={"task": "escalation.sweep", "interval": every, "expire_seconds": seconds},
    )
    if not created and (task.interval_id != every.pk or task.expire_seconds != seconds):
        task.interval = every
        task.crontab = None
        task.expire_seconds = seconds
        task.save()


def on_post_migrate(sender, using="default", **kwargs) -> None:
    ensure_sweep_schedule(using=using)
