"""The beat entry of the sweep, kept in django-celery-beat's tables.

Created (or brought in line with TIERDESK_ESCALATION_INTERVAL_SECONDS) after
every migrate, so `make run`, docker-compose and the test database all get it.
`expire_seconds` equals the interval: a sweep that could not start before the
next one is due is dropped instead of piling up behind a broker outage.
"""

from __future__ import annotations

from django.conf import settings

from common.beat import ensure_interval_entry

SWEEP_TASK_NAME = "escalation-sweep"


def ensure_sweep_schedule(*, interval_seconds: int | None = None, using: str = "default") -> None:
    seconds = max(int(interval_seconds or settings.TIERDESK_ESCALATION_INTERVAL_SECONDS), 1)
    ensure_interval_entry(
        name=SWEEP_TASK_NAME, task="escalation.sweep", seconds=seconds, using=using
    )


def on_post_migrate(sender, using="default", **kwargs) -> None:
    ensure_sweep_schedule(using=using)
