"""The beat entry of the mailbox poller (django-celery-beat), written after every migrate."""

from __future__ import annotations

from django.conf import settings

POLL_TASK_NAME = "mail-poll"


def ensure_poll_schedule(*, using: str = "default") -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    seconds = max(int(settings.TIERDESK_MAIL_POLL_SECONDS), 5)
    every, _ = IntervalSchedule.objects.using(using).get_or_create(
        every=seconds, period=IntervalSchedule.SECONDS
    )
    task, created = PeriodicTask.objects.using(using).get_or_create(
        name=POLL_TASK_NAME,
        defaults={"task": "mail.poll", "interval": every, "expire_seconds": seconds},
    )
    if not created and (task.interval_id != every.pk or task.expire_seconds != seconds):
        task.interval = every
        task.crontab = None
        task.expire_seconds = seconds
        task.save()


def on_post_migrate(sender, using="default", **kwargs) -> None:
    ensure_poll_schedule(using=using)
