"""Periodic entries in django-celery-beat's tables, kept in line with the settings."""

from __future__ import annotations


def ensure_interval_entry(*, name: str, task: str, seconds: int, using: str = "default") -> None:
    """Create the entry `name` running `task` every `seconds`, or bring it in line.

    `expire_seconds` equals the interval: a run that could not start before the next one
    is due is dropped instead of piling up behind a broker outage.
    """
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every, _ = IntervalSchedule.objects.using(using).get_or_create(
        every=seconds, period=IntervalSchedule.SECONDS
    )
    entry, created = PeriodicTask.objects.using(using).get_or_create(
        name=name, defaults={"task": task, "interval": every, "expire_seconds": seconds}
    )
    if not created and (entry.interval_id != every.pk or entry.expire_seconds != seconds):
        entry.interval = every
        entry.crontab = None
        entry.expire_seconds = seconds
        entry.save()
