"""The beat entry of the rollup refresh (django-celery-beat), written after every migrate."""

from __future__ import annotations

from django.conf import settings

from common.beat import ensure_interval_entry

REFRESH_TASK_NAME = "dashboard-rollups-refresh"


def ensure_refresh_schedule(*, using: str = "default") -> None:
    seconds = max(int(settings.TIERDESK_ROLLUP_REFRESH_SECONDS), 30)
    ensure_interval_entry(
        name=REFRESH_TASK_NAME, task="reports.rollups_refresh", seconds=seconds, using=using
    )


def on_post_migrate(sender, using="default", **kwargs) -> None:
    ensure_refresh_schedule(using=using)
