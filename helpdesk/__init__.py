"""Tierdesk project package: settings, Celery app, URLs. Configuration only."""

from .celery import app as celery_app

__all__ = ["celery_app"]
