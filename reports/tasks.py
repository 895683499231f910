"""Celery tasks of the reports: thin, call one service."""

from __future__ import annotations

from celery import shared_task

from .services import rollups_refresh


@shared_task(name="reports.rollups_refresh", ignore_result=True)
def refresh_rollups() -> int:
    """Recompute the recent hourly rollups; the beat entry's `expires` drops missed runs."""
    return rollups_refresh()
