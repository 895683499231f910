"""The notification outbox: rows written with the change, sent later by a task.

A notification row commits (or rolls back) with the write that caused it; the
Celery message that sends it is queued only after the commit and never allowed
to fail the write, so a broker outage loses nothing: the next sweep re-queues
every unsent row. A unique (recipient, cause_key) makes a retried cause harmless,
and delivery claims a row with a conditional update so it is marked sent once.

Bodies are built from the ticket's public facts and public replies only: no
notification ever carries an internal note or a hand-off note.
"""

from __future__ import annotations

import contextlib
import logging
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from common.broker import queue_in_chunks
from common.bulk import insert_in_bulk, new_instance
from common.errors import field_error
from common.text import single_line
from mail.outbound import notification_email
from tickets import events
from tickets.models import EventKind

from ..models import Notification, NotificationKind, NotificationPreference

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# While one delivery attempt runs, nobody else may claim the row.
CLAIM_LEASE = timedelta(minutes=5)
# A row unsent this long after it was due is re-queued by the sweep (its first
# message may have been lost with the broker).
REQUEUE_GRACE = timedelta(seconds=60)
# Outbox rows per Celery message (each row is still claimed and sent on its own).
QUEUE_CHUNK = 100


def backoff(attempts: int) -> int:
    """Seconds to wait after the n-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return min(60 * 2 ** max(attempts - 1, 0), 3600)


def ticket_url(ticket: Ticket) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/tickets/{ticket.pk}/"


@dataclass(frozen=True)
class Message:
    recipient: User
    kind: str
    subject: str
    body: str


class Cause(NamedTuple):
    """What one cause (a status change, a breached clock) tells whom, on which ticket."""

    messages: Iterable[Message]
    ticket: Ticket | None  # None: a notice about no one ticket (a maintenance release)
    key: str
    exclude: User | None = None


@contextlib.contextmanager
def as_reader(user: User) -> Iterator[None]:
    """Render in the recipient's language and time zone (whoever caused the message)."""
    language = user.language or settings.LANGUAGE_CODE
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    with translation.override(language), timezone.override(zone):
        yield


def messages_for_readers(
    users: Iterable[User],
    kind: str,
    build: Callable[[User], tuple[str, str]],
    *,
    texts: dict[tuple, tuple[str, str]] | None = None,
) -> list[Message]:
    """One message per recipient, each in their language and time zone; `build(user)` runs
    once per (language, time zone, staff or customer) among the recipients (and among the
    calls that pass the same `texts`, for one cause told to several groups)."""
    texts = {} if texts is None else texts
    out = []
    for user in users:
        key = (user.language or settings.LANGUAGE_CODE, user.time_zone, user.is_support_staff)
        if key not in texts:
            with as_reader(user):
                texts[key] = build(user)
        subject, body = texts[key]
        out.append(Message(user, kind, subject, body))
    return out


def notifications_create(
    *,
    recipients: Iterable[User],
    kind: str,
    ticket: Ticket,
    cause_key: str,
    subject: str = "",
    body: str = "",
    build: Callable[[User], tuple[str, str]] | None = None,
    exclude: User | None = None,
    now: datetime | None = None,
    queue: bool = True,
) -> int:
    """`notifications_write` for one cause sending one text to `recipients` (or, with
    `build`, each recipient the text rendered for them); returns the number of rows."""
    if build is not None:
        messages = messages_for_readers(recipients, kind, build)
    else:
        messages = [Message(user, kind, subject, body) for user in recipients]
    return notifications_write(
        causes=[Cause(messages, ticket, cause_key, exclude)], now=now, queue=queue
    )[0]


def notifications_write(
    *, causes: Sequence[Cause], now: datetime | None = None, queue: bool = True
) -> list[int]:
    """Outbox rows for many causes (one per recipient of each), in two queries at most;
    returns the number of rows written per cause; queues them after commit.

    Per cause: active recipients with an e-mail, one row per recipient, the excluded
    user (the actor) and switched-off kinds skipped. Call inside the transaction of the
    causes. Each cause is claimed once by its caller (a ticket write, a clock's
    conditional update), so the unique (recipient, cause_key) never fires in normal
    operation; if it does, the IntegrityError rolls the causes back rather than sending
    anything twice.
    """
    now = now or timezone.now()
    chosen: list[dict[int, Message]] = []
    for cause in causes:
        mine: dict[int, Message] = {}
        for message in cause.messages:
            user = message.recipient
            if user.is_active and user.email and user.pk not in mine:
                mine[user.pk] = message
        if cause.exclude is not None:
            mine.pop(cause.exclude.pk, None)
        chosen.append(mine)
    users = {pk for mine in chosen for pk in mine}
    if not users:
        return [0] * len(causes)
    kinds = {m.kind for mine in chosen for m in mine.values()}
    switched_off = set(
        NotificationPreference.objects.filter(
            user_id__in=users, kind__in=kinds, enabled=False
        ).values_list("user_id", "kind")
    )
    rows: list[Notification] = []
    counts = []
    for mine, cause in zip(chosen, causes, strict=True):
        wanted = [
            new_instance(
                Notification,
                recipient_id=pk,
                kind=m.kind,
                ticket_id=cause.ticket.pk if cause.ticket is not None else None,
                subject=single_line(m.subject)[:250],
                body=m.body,
                cause_key=cause.key[:100],
                created_at=now,
                next_attempt_at=now,
            )
            for pk, m in mine.items()
            if (pk, m.kind) not in switched_off
        ]
        rows += wanted
        counts.append(len(wanted))
    created = insert_in_bulk(rows, need_ids=queue)
    if queue:
        queue_after_commit([row.pk for row in created])
    return counts


def queue_after_commit(ids: list[int]) -> None:
    if ids:
        transaction.on_commit(lambda: queue_now(ids))


def queue_now(ids: Iterable[int]) -> int:
    """Hand rows to Celery, `QUEUE_CHUNK` per message (common.broker); a broker outage is
    logged, never raised (the sweep re-queues). Returns how many rows reached the broker."""
    from ..tasks import send_notifications

    return queue_in_chunks(send_notifications, ids, chunk=QUEUE_CHUNK)


def notifications_requeue(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queue unsent rows whose first message may be lost; returns how many were queued."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            sent_at__isnull=True,
            next_attempt_at__lte=now - REQUEUE_GRACE,
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    queued = queue_now(ids)
    # Restart the grace period of what reached the broker, so a long worker outage
    # does not queue the same row again every sweep.
    Notification.objects.filter(pk__in=ids[:queued], sent_at__isnull=True).update(
        next_attempt_at=now
    )
    return queued


class DeliveryFailed(Exception):
    def __init__(self, message: str, *, retry_in: int | None) -> None:
        super().__init__(message)
        self.retry_in = retry_in


def notification_deliver(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send one outbox row by e-mail; True if this call sent it.

    Claimed by a conditional update (unsent and due), so two messages for the
    same row send it once. A failure records the error and the next attempt
    and raises DeliveryFailed with the delay, for the task to retry.
    """
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id,
        sent_at__isnull=True,
        attempts__lt=MAX_ATTEMPTS,
        next_attempt_at__lte=now + timedelta(seconds=1),
    ).update(next_attempt_at=now + CLAIM_LEASE, attempts=F("attempts") + 1)
    if claimed != 1:
        return False
    row = Notification.objects.select_related("recipient", "ticket").get(pk=notification_id)
    try:
        notification_email(row).send()
    except ValueError as exc:
        # The message itself is malformed (a header with a line break, an address that is
        # no address): no retry can send it. Give this row up now; the others go on.
        Notification.objects.filter(pk=row.pk, sent_at__isnull=True).update(
            attempts=MAX_ATTEMPTS, last_error=f"not sendable: {exc}"[:2000]
        )
        log.error("Notification %s cannot be sent: %s", row.pk, exc)
        raise DeliveryFailed(str(exc), retry_in=None) from exc
    except Exception as exc:  # noqa: BLE001 - SMTP errors of every kind are retried
        retry_in = backoff(row.attempts) if row.attempts < MAX_ATTEMPTS else None
        Notification.objects.filter(pk=row.pk, sent_at__isnull=True).update(
            last_error=str(exc)[:2000],
            next_attempt_at=now + timedelta(seconds=retry_in or 0),
        )
        raise DeliveryFailed(str(exc), retry_in=retry_in) from exc
    with transaction.atomic():
        marked = Notification.objects.filter(pk=row.pk, sent_at__isnull=True).update(
            sent_at=timezone.now(), last_error=""
        )
        if marked == 1 and row.ticket is not None:
            events.record(
                ticket=row.ticket,
                kind=EventKind.NOTIFICATION,
                actor=None,
                after={"notification": row.pk, "kind": row.kind, "recipient": row.recipient_id},
                internal=True,
            )
    return marked == 1


def notifications_deliver_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Send every due unsent row in this process (the `escalate --deliver` path, no Celery)."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            sent_at__isnull=True, next_attempt_at__lte=now, attempts__lt=MAX_ATTEMPTS
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    sent = 0
    for pk in ids:
        try:
            sent += notification_deliver(notification_id=pk, now=now)
        except DeliveryFailed:
            log.warning("Notification %s failed; retried later", pk)
        except Exception:  # noqa: BLE001 - one bad row never stops the others
            log.exception("Notification %s could not be handled", pk)
    return sent


def notification_preference_set(*, user: User, kind: str, enabled: bool) -> NotificationPreference:
    """Switch one kind of notification on or off for a user (the settings page calls this)."""
    if kind not in NotificationKind.values:
        raise field_error("kind", f"Unknown notification kind “{kind}”.")
    if kind in NotificationKind.mandatory() and not enabled:
        raise field_error("kind", f"“{kind}” notices cannot be switched off.")
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"enabled": enabled}
    )
    return preference
