"""Reading a mailbox over IMAP (imap-tools): fetch, take in, then mark, one mail at a time.

A mail is marked (keyword + \\Seen, or moved) only after its InboundMail row committed;
a crash in between leaves it unmarked and the next poll finds the row and only marks it.
One poller per mailbox at a time (a lease on the row, claimed by a conditional update);
a second beat or worker skips the mailbox. Mail is never deleted.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.mailbox import BaseMailBox

from ..crypto import decrypt_secret
from ..models import AfterProcessing, Mailbox, Security
from .inbound import inbound_mail_receive

log = logging.getLogger(__name__)

PROCESSED_KEYWORD = "Tierdesk"
LEASE = timedelta(minutes=10)


@dataclass
class PollResult:
    mailbox: str
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    skipped: bool = False
    error: str = ""

    def as_dict(self) -> dict:
        return {
            "mailbox": self.mailbox,
            "fetched": self.fetched,
            "outcomes": self.outcomes,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "error": self.error,
        }


def connect(mailbox: Mailbox) -> BaseMailBox:
    timeout = settings.TIERDESK_MAIL_TIMEOUT
    client: BaseMailBox
    # imaplib verifies nothing without a context: certificates and host names are checked here.
    if mailbox.security == Security.SSL:
        client = MailBox(
            mailbox.host, mailbox.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    elif mailbox.security == Security.STARTTLS:
        client = MailBoxStartTls(
            mailbox.host, mailbox.port, timeout=timeout, ssl_context=ssl.create_default_context()
        )
    else:
        client = MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=timeout)
    return client.login(
        mailbox.username, decrypt_secret(mailbox.password_encrypted), initial_folder=mailbox.folder
    )


def _unprocessed(client: BaseMailBox, mailbox: Mailbox) -> list[str]:
    if mailbox.after_processing == AfterProcessing.MOVE:
        return client.uids("ALL")
    return client.uids(f"NOT KEYWORD {PROCESSED_KEYWORD}")


def _fetch(client: BaseMailBox, uid: str, what: str) -> tuple[bytes, int]:
    """(bytes of `what`, RFC822.SIZE) of one mail, without setting \\Seen."""
    status, data = client.client.uid("FETCH", uid, f"(RFC822.SIZE {what})")
    if status != "OK":
        raise OSError(f"FETCH {uid} failed: {status}")
    raw, size = b"", 0
    for item in data:
        if isinstance(item, tuple):
            meta = item[0].decode("ascii", "replace")
            raw = item[1]
            if "RFC822.SIZE" in meta:
                size = int(meta.split("RFC822.SIZE", 1)[1].split()[0].strip(")"))
    return raw, size


def _mark(client: BaseMailBox, mailbox: Mailbox, uid: str) -> None:
    if mailbox.after_processing == AfterProcessing.MOVE:
        folder = mailbox.processed_folder or "Tierdesk"
        if not client.folder.exists(folder):
            client.folder.create(folder)
        client.move(uid, folder)
    else:
        client.flag(uid, [PROCESSED_KEYWORD, "\\Seen"], True)


def mailbox_poll(*, mailbox_id: int, limit: int | None = None) -> PollResult:
    """Read one mailbox once: every unprocessed mail (up to `limit`) taken in and marked."""
    now = timezone.now()
    mailbox = Mailbox.objects.get(pk=mailbox_id)
    result = PollResult(mailbox=mailbox.name)
    claimed = (
        Mailbox.objects.filter(pk=mailbox_id, active=True)
        .filter(Q(polling_until__isnull=True) | Q(polling_until__lt=now))
        .update(polling_until=now + LEASE)
    )
    if claimed != 1:
        result.skipped = True
        return result
    limit = limit or settings.TIERDESK_MAIL_BATCH
    try:
        with connect(mailbox) as client:
            for uid in _unprocessed(client, mailbox)[:limit]:
                raw, size = _fetch(client, uid, "BODY.PEEK[HEADER]")
                if size <= settings.TIERDESK_MAIL_MAX_BYTES:
                    raw, size = _fetch(client, uid, "BODY.PEEK[]")
                received = inbound_mail_receive(mailbox=mailbox, raw=raw, size=size)
                result.fetched += 1
                result.duplicates += received.duplicate
                result.outcomes[received.outcome] = result.outcomes.get(received.outcome, 0) + 1
                _mark(client, mailbox, uid)
    except Exception as exc:  # noqa: BLE001 - recorded on the mailbox; the next poll retries
        result.error = f"{exc.__class__.__name__}: {exc}"[:2000]
        log.warning("Polling mailbox %s failed: %s", mailbox.name, result.error)
    Mailbox.objects.filter(pk=mailbox_id).update(
        polling_until=None, last_polled_at=timezone.now(), last_error=result.error
    )
    return result


def mailboxes_poll() -> list[PollResult]:
    """Every active mailbox once (the beat task and `manage.py fetch_mail`)."""
    ids = Mailbox.objects.filter(active=True).order_by("pk").values_list("pk", flat=True)
    return [mailbox_poll(mailbox_id=pk) for pk in ids]
