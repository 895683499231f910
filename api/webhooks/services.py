"""Writes of the webhook outbox: register hooks, record deliveries, queue and re-queue them
(sending: api/webhooks/sending.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.broker import queue_in_chunks

from ..models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from . import targets
from .sending import (  # noqa: F401 - the send path, re-exported for callers of services
    CLAIM_TOLERANCE_SECONDS,
    LEASE_MARGIN_SECONDS,
    MAX_ATTEMPTS,
    TIMEOUT_SECONDS,
    SendOutcome,
    backoff_seconds,
    deliveries_send,
    delivery_attempt,
)

logger = logging.getLogger(__name__)

ACTIVE_HOOKS_KEY = "api:webhooks:active:v1"
ACTIVE_HOOKS_TTL = 30
# The re-queue leaves fresh rows to their own message for this long.
REQUEUE_GRACE_SECONDS = 60
# Deliveries per broker message (each still claimed and sent on its own).
QUEUE_CHUNK = 100


def _clean_events(events: Any) -> list[str]:
    if not isinstance(events, list) or not events:
        raise ValidationError({"events": [_("Choose at least one event.")]})
    unknown = [e for e in events if e not in WebhookEvent.values]
    if unknown:
        raise ValidationError({"events": [_("Unknown events: %s.") % ", ".join(map(str, unknown))]})
    return sorted(set(events))


def _check_target(url: str) -> None:
    try:
        targets.check_url(url)
    except targets.TargetRefused as exc:
        raise ValidationError({"url": [str(exc)]}) from exc


def webhook_create(
    *, actor, url: str, events: list[str], description: str = "", is_active: bool = True
) -> Webhook:
    hook = Webhook(
        url=url,
        events=_clean_events(events),
        description=description,
        is_active=is_active,
        created_by=actor,
    )
    hook.full_clean()
    _check_target(hook.url)
    hook.save()
    return hook


def webhook_update(*, webhook: Webhook, data: dict[str, Any]) -> Webhook:
    for field in ("url", "description", "is_active"):
        if field in data:
            setattr(webhook, field, data[field])
    if "events" in data:
        webhook.events = _clean_events(data["events"])
    webhook.full_clean()
    _check_target(webhook.url)
    webhook.save()
    return webhook


def webhook_rotate_secret(*, webhook: Webhook) -> Webhook:
    from ..models import new_secret

    webhook.secret = new_secret()
    webhook.save(update_fields=["secret", "updated_at"])
    return webhook


def forget_active_hooks() -> None:
    try:
        cache.delete(ACTIVE_HOOKS_KEY)
    except Exception:  # noqa: BLE001 - a cache outage must not fail a manager's write
        logger.warning("could not invalidate the webhook cache", exc_info=True)


def active_hooks() -> list[tuple[int, list[str]]]:
    """(id, events) of active hooks, cached so ticket writes cost no query when none exist."""
    try:
        hooks = cache.get(ACTIVE_HOOKS_KEY)
    except Exception:  # noqa: BLE001 - fall back to the database if the cache is down
        hooks = None
    if hooks is None:
        hooks = [
            (pk, list(events))
            for pk, events in Webhook.objects.filter(is_active=True).values_list("id", "events")
        ]
        try:
            cache.set(ACTIVE_HOOKS_KEY, hooks, ACTIVE_HOOKS_TTL)
        except Exception:  # noqa: BLE001
            logger.warning("could not cache active webhooks", exc_info=True)
    return hooks


def subscribed_events() -> set[str]:
    """The events some active hook wants (no query while the cache holds the hooks)."""
    return {event for _pk, events in active_hooks() for event in events}


def deliveries_record(*, deliveries: Sequence[tuple[str, dict[str, Any]]]) -> list[WebhookDelivery]:
    """Write one outbox row per subscribed hook for each (event, payload), in one query;
    queue them once the transaction commits.

    The cached hook list may be stale (a hook deleted meanwhile, a cache that outlived its
    database): rows are written only for hooks that still exist and are active, so a ticket
    write never fails on a foreign key because of the cache."""
    hooks = active_hooks()
    wanted = {event for event, _payload in deliveries}
    candidates = {pk for pk, events in hooks if wanted.intersection(events)}
    if not candidates:
        return []
    live = set(
        Webhook.objects.filter(pk__in=candidates, is_active=True).values_list("id", flat=True)
    )
    if live != candidates:
        forget_active_hooks()
    hooks = [(pk, events) for pk, events in hooks if pk in live]
    now = timezone.now()
    rows = [
        WebhookDelivery(
            webhook_id=pk,
            event=event,
            payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
            created_at=now,
            next_attempt_at=now,
        )
        for event, payload in deliveries
        for pk, events in hooks
        if event in events
    ]
    if not rows:
        return []
    rows = WebhookDelivery.objects.bulk_create(rows)
    ids = [row.pk for row in rows if row.pk]
    if ids:
        transaction.on_commit(lambda: enqueue(ids))
    return rows


def webhook_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's event again as a new delivery (e.g. after the receiver was fixed),
    handed to the worker after the commit; the original and its attempts stay as they were."""
    now = timezone.now()
    with transaction.atomic():
        again = WebhookDelivery.objects.create(
            webhook_id=delivery.webhook_id,
            event=delivery.event,
            payload=delivery.payload,
            created_at=now,
            next_attempt_at=now,
        )
        transaction.on_commit(lambda: enqueue([again.pk]))
    return again


def enqueue(ids: list[int], *, countdown: int = 0) -> int:
    """Hand deliveries to the workers, 100 per message (task `webhook_deliver_batch`); with
    the broker down the rows stay pending for the re-queue. Returns how many were queued."""
    from ..tasks import webhook_deliver_batch

    return queue_in_chunks(webhook_deliver_batch, ids, chunk=QUEUE_CHUNK, countdown=countdown)


def deliveries_due(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Pending deliveries whose next attempt is due (lost messages, retries after a restart)."""
    now = now or timezone.now()
    due_before = now - timedelta(seconds=REQUEUE_GRACE_SECONDS)
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=due_before
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )


def deliveries_requeue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queue what a lost message or a crash left pending; returns how many were queued.

    What reached the broker starts its grace period again (still due, so any worker may
    claim it), so a long worker outage does not queue the same rows every minute and the
    next run moves on to the rows behind them."""
    now = now or timezone.now()
    ids = deliveries_due(now=now, limit=limit)
    queued = enqueue(ids)
    WebhookDelivery.objects.filter(
        pk__in=ids[:queued],
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now - timedelta(seconds=REQUEUE_GRACE_SECONDS),
    ).update(next_attempt_at=now)
    return queued
