"""Sending webhook deliveries: a batch of outbox rows per task, each row claimed and sent once.

A batch (up to 100 rows, one broker message) may hold rows for several hooks. Each hook's
rows go out in order, one at a time; different hooks are sent side by side (a few threads
that only do HTTP: every database read and write stays in the calling thread, inside
the caller's connection and transaction). So a slow or dead receiver holds up nobody but
itself: when one of its rows fails, the rest of its rows in the batch are not tried now
but wait with that row for its retry (one timeout per dead hook per batch, not one per
row), and the other hooks' rows are sent meanwhile.

Each row is claimed just before it is sent, with a lease (`next_attempt_at` pushed past
the send timeout) in one conditional update: two messages for one row send it once, and
a worker killed mid-send leaves the row to be sent again after its lease (the receiver
may then see the same delivery id twice, never lose it). The SSRF checks run in
`targets.post` at every attempt.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from ..models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from . import signing, targets

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 10
# Seconds before attempt n+1: 30 s, 2 min, 8 min, 32 min, ~2 h.
BACKOFF_BASE = 30
BACKOFF_FACTOR = 4
CLAIM_TOLERANCE_SECONDS = 5
LEASE_MARGIN_SECONDS = 30
# Hooks of one batch sent side by side at most.
SEND_THREADS = 8


def backoff_seconds(attempt: int) -> int:
    return BACKOFF_BASE * BACKOFF_FACTOR ** max(attempt - 1, 0)


@dataclass
class SendOutcome:
    """What a batch did: the rows attempted (as recorded), and the retries to queue as
    (delivery ids, countdown seconds): a failed row with the rows of its hook it held back."""

    attempted: list[WebhookDelivery] = field(default_factory=list)
    retries: list[tuple[list[int], int]] = field(default_factory=list)


@dataclass
class _Claimed:
    delivery: WebhookDelivery
    started: datetime
    body: bytes
    headers: dict[str, str]
    began: float = 0.0


def deliveries_send(*, delivery_ids: Sequence[int], now: datetime | None = None) -> SendOutcome:
    """Send one attempt of every pending, due delivery among `delivery_ids`.

    Rows already sent, not due yet or held by another worker are passed over. The HTTP
    calls run outside any transaction, so a slow receiver never holds a database lock."""
    outcome = SendOutcome()
    waiting = _rows_by_hook(delivery_ids)
    if not waiting:
        return outcome
    ready = deque(waiting)
    active: dict[Future, tuple[int, _Claimed]] = {}
    with ThreadPoolExecutor(max_workers=min(len(waiting), SEND_THREADS)) as pool:

        def fill() -> None:
            # Hooks take turns for the threads; a hook sends one row at a time.
            while ready and len(active) < SEND_THREADS:
                hook_id = ready.popleft()
                claimed = _claim_next(waiting[hook_id], now=now)
                if claimed is not None:
                    claimed.began = time.monotonic()
                    active[pool.submit(_post, claimed)] = (hook_id, claimed)

        fill()
        while active:
            done, _pending = wait(active, return_when=FIRST_COMPLETED)
            for future in done:
                hook_id, claimed = active.pop(future)
                status_code, error = future.result()
                delivery = _record(claimed, status_code=status_code, error=error)
                if delivery is None:
                    continue  # left under its lease; the re-queue sends it again later
                outcome.attempted.append(delivery)
                if delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at:
                    held = _hold_back(waiting.pop(hook_id), until=delivery.next_attempt_at, now=now)
                    countdown = backoff_seconds(delivery.attempt_count)
                    outcome.retries.append(([delivery.pk, *held], countdown))
                elif waiting[hook_id]:
                    ready.append(hook_id)
            fill()
    return outcome


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """One delivery's attempt (the batch of one): the delivery as recorded (still pending
    with a later `next_attempt_at` if it must be retried), or None if there was nothing to
    do (already sent, not due yet, or another worker holds it)."""
    attempted = deliveries_send(delivery_ids=[delivery_id], now=now).attempted
    return attempted[0] if attempted else None


def _rows_by_hook(delivery_ids: Sequence[int]) -> dict[int, deque[int]]:
    """Pending rows among the ids, per hook in id (creation) order: one query."""
    rows = (
        WebhookDelivery.objects.filter(pk__in=list(delivery_ids), status=DeliveryStatus.PENDING)
        .order_by("webhook_id", "id")
        .values_list("webhook_id", "id")
    )
    waiting: dict[int, deque[int]] = {}
    for hook_id, pk in rows:
        waiting.setdefault(hook_id, deque()).append(pk)
    return waiting


def _claim_next(queue: deque[int], *, now: datetime | None) -> _Claimed | None:
    """Claim the first row of `queue` that is still due (dropping the others on the way)."""
    while queue:
        started = now or timezone.now()
        delivery = _claim(queue.popleft(), now=started)
        if delivery is not None:
            return _prepare(delivery, started=started)
    return None


def _claim(delivery_id: int, *, now: datetime) -> WebhookDelivery | None:
    """Take a due delivery with a lease, in one conditional update (no lock held while sending).

    A retry message and a re-queued one that both fire, or two workers, get one claim;
    the lease lets the re-queue pick the row up again if the worker dies mid-send.
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


def _prepare(delivery: WebhookDelivery, *, started: datetime) -> _Claimed:
    hook = delivery.webhook
    timestamp = int(started.timestamp())
    body = json.dumps(
        {"id": delivery.pk, "event": delivery.event, "data": delivery.payload},
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Tierdesk-Webhooks/1",
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature(
            secret=hook.secret, timestamp=timestamp, body=body
        ),
        signing.EVENT_HEADER: delivery.event,
        signing.DELIVERY_HEADER: str(delivery.pk),
    }
    return _Claimed(delivery=delivery, started=started, body=body, headers=headers)


def _post(claimed: _Claimed) -> tuple[int | None, str]:
    """One POST to the hook's checked address (in a sending thread: no database here)."""
    try:
        return targets.post(
            claimed.delivery.webhook.url,
            body=claimed.body,
            headers=claimed.headers,
            timeout=TIMEOUT_SECONDS,
        )
    except Exception:  # noqa: BLE001 - recorded as a failed attempt like any other
        log.exception("Webhook delivery %s failed unexpectedly", claimed.delivery.pk)
        return None, "delivery failed"


def _record(claimed: _Claimed, *, status_code: int | None, error: str) -> WebhookDelivery | None:
    """The attempt and the row's new state, in one transaction; None if that failed (the
    row stays under its lease and is re-queued; the batch's other rows go on)."""
    delivery, started = claimed.delivery, claimed.started
    number = delivery.attempt_count + 1
    ok = status_code is not None and 200 <= status_code < 300
    try:
        with transaction.atomic():
            WebhookAttempt.objects.create(
                delivery=delivery,
                number=number,
                started_at=started,
                duration_ms=int((time.monotonic() - claimed.began) * 1000),
                status_code=status_code,
                error=error[:500],
                succeeded=ok,
            )
            delivery.attempt_count = number
            if ok:
                delivery.status = DeliveryStatus.SUCCEEDED
                delivery.delivered_at = started
                delivery.next_attempt_at = None
            elif number >= MAX_ATTEMPTS or not delivery.webhook.is_active:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
            else:
                delivery.next_attempt_at = started + timedelta(seconds=backoff_seconds(number))
            delivery.save(
                update_fields=["attempt_count", "status", "delivered_at", "next_attempt_at"]
            )
    except Exception:  # noqa: BLE001 - one bad row never stops the others
        log.exception("Webhook delivery %s could not be recorded", delivery.pk)
        return None
    return delivery


def _hold_back(queue: deque[int], *, until: datetime, now: datetime | None) -> list[int]:
    """The rest of a failing hook's rows in this batch wait for its retry: not tried now,
    due again with it (rows another worker holds meanwhile are left alone)."""
    ids = list(queue)
    if ids:
        due = (now or timezone.now()) + timedelta(seconds=CLAIM_TOLERANCE_SECONDS)
        WebhookDelivery.objects.filter(
            pk__in=ids, status=DeliveryStatus.PENDING, next_attempt_at__lte=due
        ).update(next_attempt_at=until)
    return ids
