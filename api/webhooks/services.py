"""Writes of the webhook outbox: register hooks, record deliveries, send one attempt."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import DeliveryStatus, Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from . import signing, targets

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 10
# Seconds before attempt n+1: 30 s, 2 min, 8 min, 32 min, ~2 h.
BACKOFF_BASE = 30
BACKOFF_FACTOR = 4
ACTIVE_HOOKS_KEY = "api:webhooks:active:v1"
ACTIVE_HOOKS_TTL = 30
CLAIM_TOLERANCE_SECONDS = 5
LEASE_MARGIN_SECONDS = 30
# The sweep leaves fresh rows to their own message for this long.
REQUEUE_GRACE_SECONDS = 60


def backoff_seconds(attempt: int) -> int:
    return BACKOFF_BASE * BACKOFF_FACTOR ** max(attempt - 1, 0)


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


def enqueue(ids: list[int], *, countdown: int = 0) -> None:
    """Hand deliveries to the worker; if the broker is down the rows stay pending for the sweep."""
    from ..tasks import webhook_deliver

    for pk in ids:
        try:
            webhook_deliver.apply_async(args=[pk], countdown=countdown)
        except Exception:  # noqa: BLE001 - the write already committed; the sweep re-queues
            logger.warning(
                "broker unavailable; delivery %s left for the re-queue sweep", pk, exc_info=True
            )


def _claim(delivery_id: int, *, now: datetime) -> WebhookDelivery | None:
    """Take a due delivery with a lease, in one conditional update (no lock held while sending).

    A retry message and a sweep that both fire, or two workers, get one claim;
    the lease (`next_attempt_at` pushed past the send timeout) lets the sweep
    pick the row up again if the worker dies mid-send.
    """
    lease = now + timedelta(seconds=TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now + timedelta(seconds=CLAIM_TOLERANCE_SECONDS),
    ).update(next_attempt_at=lease)
    if claimed != 1:
        return None
    return WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Send one attempt of a pending, due delivery and record it.

    Returns the delivery (still pending with a later `next_attempt_at` if it
    must be retried), or None if there was nothing to do (already sent, not
    due yet, or another worker holds it). The HTTP call runs outside any
    transaction, so a slow receiver never holds a database lock.
    """
    started = now or timezone.now()
    delivery = _claim(delivery_id, now=started)
    if delivery is None:
        return None
    hook = delivery.webhook
    number = delivery.attempt_count + 1
    timestamp = int(started.timestamp())
    body = json.dumps(
        {"id": delivery.pk, "event": delivery.event, "data": delivery.payload},
        separators=(",", ":"),
    ).encode()
    began = time.monotonic()
    status_code, error = _post(hook=hook, delivery=delivery, body=body, timestamp=timestamp)
    ok = status_code is not None and 200 <= status_code < 300
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=started,
            duration_ms=int((time.monotonic() - began) * 1000),
            status_code=status_code,
            error=error[:500],
            succeeded=ok,
        )
        delivery.attempt_count = number
        if ok:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = started
            delivery.next_attempt_at = None
        elif number >= MAX_ATTEMPTS or not hook.is_active:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = started + timedelta(seconds=backoff_seconds(number))
        delivery.save(update_fields=["attempt_count", "status", "delivered_at", "next_attempt_at"])
    return delivery


def _post(
    *, hook: Webhook, delivery: WebhookDelivery, body: bytes, timestamp: int
) -> tuple[int | None, str]:
    """One POST to the hook's checked address (see targets: no internal addresses, no
    redirects followed, generic error classes only)."""
    return targets.post(
        hook.url,
        body=body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Tierdesk-Webhooks/1",
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.signature(
                secret=hook.secret, timestamp=timestamp, body=body
            ),
            signing.EVENT_HEADER: delivery.event,
            signing.DELIVERY_HEADER: str(delivery.pk),
        },
        timeout=TIMEOUT_SECONDS,
    )


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
