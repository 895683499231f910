"""Celery tasks of the SLA engine: thin, take ids, call one service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .services.recompute import clocks_recompute


@shared_task(
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
)
def recompute_agreement_clocks(agreement_ids: list[int]) -> int:
    """Recompute running clocks after an agreement or calendar change (idempotent)."""
    return clocks_recompute(agreement_ids=agreement_ids)
