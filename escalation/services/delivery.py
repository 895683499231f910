"""Sending outbox rows by e-mail: each immediate row in an e-mail of its own, each digest
recipient's pending rows together in one.

Rows are claimed before they are sent and marked sent after, so two workers, a
redelivered message or a retry never send a row twice: an immediate row by a
conditional update, a digest by locking the recipient's pending rows (SKIP LOCKED, so a
second worker takes only what the first did not). A claim is a lease: a worker killed
between claim and send leaves the rows due again after CLAIM_LEASE.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from mail.outbound import digest_email, notification_email
from tickets import events
from tickets.models import EventKind

from .. import messages
from ..models import Notification
from .notify import CLAIM_LEASE, MAX_ATTEMPTS, as_reader, backoff

log = logging.getLogger(__name__)

# At most this many notices in one digest; the rest wait for the next one.
DIGEST_MAX = 500
SLACK = timedelta(seconds=1)


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, retry_in: int | None) -> None:
        super().__init__(message)
        self.retry_in = retry_in


@dataclass
class Sent:
    sent: int = 0  # rows marked sent by this call
    retry: dict[int, int] = field(default_factory=dict)  # row id → seconds until its retry


def notifications_send(*, ids: Sequence[int], now: datetime | None = None) -> Sent:
    """Send these outbox rows (the task's chunk, or a list of one for a retry): immediate
    rows one e-mail each, and for each digest recipient among them one e-mail with all
    their pending rows. Failed rows keep their error and next attempt; `retry` says when."""
    now = now or timezone.now()
    singles: list[int] = []
    digests: dict[int, int] = {}  # recipient → one of their rows (to retry the digest by)
    for pk, recipient_id, digest in (
        Notification.objects.filter(pk__in=ids, sent_at__isnull=True, mail=True)
        .order_by("pk")
        .values_list("pk", "recipient_id", "digest")
    ):
        if digest:
            digests.setdefault(recipient_id, pk)
        else:
            singles.append(pk)
    result = Sent()
    for pk in singles:
        try:
            result.sent += notification_deliver(notification_id=pk, now=now)
        except DeliveryFailed as failed:
            if failed.retry_in is not None:
                result.retry[pk] = failed.retry_in
        except Exception:  # noqa: BLE001 - one bad row never stops the others (re-queued)
            log.exception("Notification %s could not be handled", pk)
    for recipient_id, pk in digests.items():
        try:
            result.sent += digest_deliver(recipient_id=recipient_id, now=now)
        except DeliveryFailed as failed:
            if failed.retry_in is not None:
                result.retry[pk] = failed.retry_in
        except Exception:  # noqa: BLE001 - one bad digest never stops the others
            log.exception("Digest of user %s could not be handled", recipient_id)
    return result


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send one immediate outbox row by e-mail; True if this call sent it.

    Claimed by a conditional update (unsent and due), so two messages for the
    same row send it once. A failure records the error and the next attempt
    and raises DeliveryFailed with the delay, for the task to retry.
    """
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id,
        sent_at__isnull=True,
        mail=True,
        digest=False,
        attempts__lt=MAX_ATTEMPTS,
        next_attempt_at__lte=now + SLACK,
    ).update(next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1)
    if claimed != 1:
        return False
    row = Notification.objects.select_related("recipient", "ticket").get(pk=notification_id)
    _send(lambda: notification_email(row), [row], now=now)
    return _mark_sent([row]) == 1


def digest_deliver(*, recipient_id: int, now: datetime | None = None) -> int:
    """One e-mail with every pending digest row of a recipient, once one of them is due;
    returns how many rows it sent (0: nothing due yet, or another worker has them).

    Pending: never tried (even if not yet due: a row written a moment after the first
    joins it), or due again after a failure or an expired lease. Rows leased to another
    worker are neither, and rows it holds locked are skipped.
    """
    now = now or timezone.now()
    pending = Q(attempts=0) | Q(next_attempt_at__lte=now + SLACK)
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(
                pending,
                recipient_id=recipient_id,
                digest=True,
                mail=True,
                sent_at__isnull=True,
                attempts__lt=MAX_ATTEMPTS,
            )
            .order_by("created_at", "id")
            .values_list("pk", "next_attempt_at")[:DIGEST_MAX]
        )
        if not any(due <= now + SLACK for _pk, due in rows):
            return 0  # the window is still open: the message queued for its end comes
        ids = [pk for pk, _due in rows]
        claimed = Notification.objects.filter(pending, pk__in=ids, sent_at__isnull=True).update(
            next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1
        )
        if claimed != len(ids):
            # Only without row locks (SQLite): another worker claimed some meanwhile.
            transaction.set_rollback(True)
            return 0
    batch = list(
        Notification.objects.filter(pk__in=ids)
        .select_related("recipient", "ticket")
        .order_by("created_at", "id")
    )
    if len(batch) == 1:
        _send(lambda: notification_email(batch[0]), batch, now=now)
    else:
        recipient = batch[0].recipient
        _send(lambda: _digest(recipient, batch), batch, now=now)
    return _mark_sent(batch)


def _digest(recipient, batch: list[Notification]):
    with as_reader(recipient):
        subject, body = messages.digest_message(rows=batch)
    return digest_email(recipient=recipient, subject=subject, body=body, key=batch[0].pk)


def _send(build, rows: list[Notification], *, now: datetime) -> None:
    """Build and send one e-mail for claimed rows; on failure record it on every row and
    raise DeliveryFailed (retry_in None: no retry can send it)."""
    ids = [row.pk for row in rows]
    try:
        build().send()
    except ValueError as exc:
        # The message itself is malformed (a header with a line break, an address that is
        # no address): no retry can send it. Give these rows up now; the others go on.
        Notification.objects.filter(pk__in=ids, sent_at__isnull=True).update(
            attempts=MAX_ATTEMPTS, last_error=f"not sendable: {exc}"[:2000]
        )
        log.error("Notification(s) %s cannot be sent: %s", ids, exc)
        raise DeliveryFailed(str(exc), retry_in=None) from exc
    except Exception as exc:  # noqa: BLE001 - SMTP errors of every kind are retried
        attempts = max(row.attempts for row in rows)
        retry_in = backoff(attempts) if attempts < MAX_ATTEMPTS else None
        Notification.objects.filter(pk__in=ids, sent_at__isnull=True).update(
            last_error=str(exc)[:2000],
            next_attempt_at=now + timedelta(seconds=retry_in or 0),
        )
        raise DeliveryFailed(str(exc), retry_in=retry_in) from exc


def _mark_sent(rows: list[Notification]) -> int:
    """Mark sent what is still unsent of these rows, with a history entry per ticket row,
    in one transaction; returns how many this call marked."""
    by_pk = {row.pk: row for row in rows}
    with transaction.atomic():
        mine = list(
            Notification.objects.select_for_update()
            .filter(pk__in=by_pk, sent_at__isnull=True)
            .values_list("pk", flat=True)
        )
        if not mine:
            return 0
        sent_at = timezone.now()
        Notification.objects.filter(pk__in=mine).update(sent_at=sent_at, last_error="")
        digest = len(rows) > 1
        events.insert(
            [
                events.build(
                    ticket=row.ticket,
                    kind=EventKind.NOTIFICATION,
                    actor=None,
                    after={
                        "notification": row.pk,
                        "kind": row.kind,
                        "recipient": row.recipient_id,
                        **({"digest": True} if digest else {}),
                    },
                    internal=True,
                    created_at=sent_at,
                )
                for pk in mine
                if (row := by_pk[pk]).ticket is not None
            ]
        )
    return len(mine)


def notifications_deliver_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Send every due unsent row in this process (the `escalate --deliver` path, no Celery)."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            sent_at__isnull=True, mail=True, next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    result = notifications_send(ids=ids, now=now)
    for pk in result.retry:
        log.warning("Notification %s failed; retried later", pk)
    return result.sent
