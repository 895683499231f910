"""The notification outbox: rows written with the change, sent later by a task.

Writing and queueing live here; sending in `delivery`, the in-app list's reads and
marks in `inbox`, people's choices in `preferences`.

A notification row commits (or rolls back) with the write that caused it; the
Celery message that sends it is queued only after the commit and never allowed
to fail the write, so a broker outage loses nothing: the next sweep re-queues
every unsent row. A unique (recipient, cause_key) makes a retried cause harmless,
and delivery claims rows (a conditional update, row locks) so each is sent once.

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
from django.db.models import Q
from django.utils import timezone, translation

from common.broker import queue_in_chunks
from common.bulk import insert_in_bulk, new_instance
from common.text import single_line

from ..models import (
    MailMode,
    Notification,
    NotificationKind,
    NotificationPreference,
)

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
# Outbox rows per Celery message (each row, or each recipient's digest, claimed on its own).
QUEUE_CHUNK = 100


def backoff(attempts: int) -> int:
    """Seconds to wait after the n-th failed attempt: 1, 2, 4 … minutes, at most an hour."""
    return min(60 * 2 ** max(attempts - 1, 0), 3600)


def site_url(path: str) -> str:
    """An absolute link into the site (TIERDESK_SITE_URL; under `make run` the served port)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def ticket_url(ticket: Ticket) -> str:
    return site_url(f"/tickets/{ticket.pk}/")


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
    if translation.get_language() == language and timezone.get_current_timezone() == zone:
        # Already what the reader reads (a sweep renders thousands for the default reader).
        yield
        return
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
    """Outbox rows for many causes (one per recipient of each), in three queries at most;
    returns the number of rows written per cause; queues them after commit.

    Per cause: active recipients with an e-mail, one row per recipient, the excluded
    user (the actor) skipped. Each row goes by the recipient's choices for its kind: by
    e-mail, in the app, or (both off) not at all; mandatory kinds always by e-mail. Staff
    who take a digest (the default) get their e-mail rows marked `digest`, due after the
    digest window, so everything pending by then leaves in one e-mail. Call inside the
    transaction of the causes. Each cause is claimed once by its caller (a ticket write,
    a clock's conditional update), so the unique (recipient, cause_key) never fires in
    normal operation; if it does, the IntegrityError rolls the causes back rather than
    sending anything twice.
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
    channels = {
        (user_id, kind): (mail, in_app)
        for user_id, kind, mail, in_app in NotificationPreference.objects.filter(
            user_id__in=users, kind__in=kinds
        ).values_list("user_id", "kind", "mail", "in_app")
    }
    staff, immediate = _staff_mail_modes(
        {pk: m.recipient for mine in chosen for pk, m in mine.items()}
    )
    digest_due = now + digest_window()
    mandatory = NotificationKind.mandatory()
    rows: list[Notification] = []
    counts = []
    for mine, cause in zip(chosen, causes, strict=True):
        wanted = []
        for pk, m in mine.items():
            mail, in_app = channels.get((pk, m.kind), (True, True))
            mail = mail or m.kind in mandatory
            if not (mail or in_app):
                continue
            digest = mail and pk in staff and pk not in immediate
            wanted.append(
                new_instance(
                    Notification,
                    recipient_id=pk,
                    kind=m.kind,
                    ticket_id=cause.ticket.pk if cause.ticket is not None else None,
                    subject=single_line(m.subject)[:250],
                    body=m.body,
                    cause_key=cause.key[:100],
                    created_at=now,
                    mail=mail,
                    digest=digest,
                    in_app=in_app,
                    next_attempt_at=digest_due if digest else now,
                )
            )
        rows += wanted
        counts.append(len(wanted))
    created = insert_in_bulk(rows, need_ids=queue)
    if queue:
        now_ids = [row.pk for row in created if row.mail and not row.digest]
        # A digest is one e-mail for all of a recipient's pending rows: one id per
        # recipient is enough to wake it when the window has passed.
        digests = {row.recipient_id: row.pk for row in created if row.digest}
        queue_after_commit(now_ids, list(digests.values()))
    return counts


def _staff_mail_modes(recipients: dict[int, User]) -> tuple[set[int], set[int]]:
    """(staff among the recipients, those of them who chose one e-mail per notice), in one
    query at most: none when every recipient is a customer known as one. A recipient
    loaded without its role (`only(...)`, as releases do) is looked up, not fetched alone."""
    from accounts.models import Role, User

    known = {pk: u for pk, u in recipients.items() if not ROLE_FIELDS & u.get_deferred_fields()}
    ask = [pk for pk in recipients if pk not in known or known[pk].is_support_staff]
    if not ask:
        return set(), set()
    rows = (
        User.objects.filter(pk__in=ask)
        .filter(Q(role__in=[Role.TECHNICIAN, Role.MANAGER]) | Q(is_superuser=True))
        .values_list("pk", "notification_settings__mail_mode")
    )
    staff, immediate = set(), set()
    for pk, mode in rows:
        staff.add(pk)
        if mode == MailMode.IMMEDIATE:
            immediate.add(pk)
    return staff, immediate


ROLE_FIELDS = frozenset({"role", "is_superuser"})


def digest_window() -> timedelta:
    return timedelta(seconds=max(settings.TIERDESK_NOTIFY_DIGEST_SECONDS, 0))


def queue_after_commit(ids: list[int], digest_ids: Sequence[int] = ()) -> None:
    if ids:
        transaction.on_commit(lambda: queue_now(ids))
    if digest_ids:
        countdown = int(digest_window().total_seconds())
        transaction.on_commit(lambda: queue_now(digest_ids, countdown=countdown))


def queue_now(ids: Iterable[int], *, countdown: int = 0) -> int:
    """Hand rows to Celery, `QUEUE_CHUNK` per message (common.broker), after `countdown`
    seconds; a broker outage is logged, never raised (the sweep re-queues). Returns how
    many rows reached the broker."""
    from ..tasks import send_notifications

    return queue_in_chunks(send_notifications, ids, chunk=QUEUE_CHUNK, countdown=countdown)


def notifications_requeue(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Queue unsent rows whose first message may be lost; returns how many were queued."""
    now = now or timezone.now()
    ids = list(
        Notification.objects.filter(
            sent_at__isnull=True,
            mail=True,
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
