"""The help desk's own mail identities: reply tokens, reply addresses and Message-IDs.

A ticket's reply token is an HMAC of its id under a key derived from SECRET_KEY, so it
needs no storage, cannot be guessed from the reference, and is checked in constant time.
Every Message-ID the desk sends and every Reply-To address carries the reference and the
token; inbound mail is threaded only on identifiers whose token verifies.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from email.utils import parseaddr

from django.conf import settings
from django.utils.crypto import salted_hmac

TOKEN_LENGTH = 16
_TOKEN_PART = r"HD-(\d{1,12})\.([0-9a-f]{" + str(TOKEN_LENGTH) + "})"
# <n42.HD-000123.<token>@domain> (a notification) or <HD-000123.<token>@domain> (the root)
MESSAGE_ID_RE = re.compile(r"<?(?:[a-z]+\d+\.)?" + _TOKEN_PART + r"@[^>\s]+>?", re.IGNORECASE)
ADDRESS_TOKEN_RE = re.compile(r"\+" + _TOKEN_PART + r"@", re.IGNORECASE)


def reply_token(ticket_id: int) -> str:
    return salted_hmac("tierdesk.mail.reply-token", str(ticket_id)).hexdigest()[:TOKEN_LENGTH]


def _reference(ticket_id: int) -> str:
    return f"HD-{ticket_id:06d}"


def base_address() -> str:
    """The address customers write to (TIERDESK_MAIL_ADDRESS, else DEFAULT_FROM_EMAIL's)."""
    configured = getattr(settings, "TIERDESK_MAIL_ADDRESS", "") or ""
    return parseaddr(configured or settings.DEFAULT_FROM_EMAIL)[1] or "helpdesk@localhost"


def mail_domain() -> str:
    return base_address().rpartition("@")[2] or "localhost"


def reply_address(ticket_id: int) -> str:
    """helpdesk+HD-000123.<token>@example.com: answers to it reach this ticket only."""
    local, _, domain = base_address().rpartition("@")
    local = local.split("+", 1)[0]
    return f"{local}+{_reference(ticket_id)}.{reply_token(ticket_id)}@{domain}"


def thread_root_id(ticket_id: int) -> str:
    """The ticket thread's root Message-ID (referenced by every mail about the ticket)."""
    return f"<{_reference(ticket_id)}.{reply_token(ticket_id)}@{mail_domain()}>"


def notification_message_id(*, notification_id: int, ticket_id: int) -> str:
    """A notification's Message-ID: stable, so a retried delivery is the same message."""
    return f"<n{notification_id}.{_reference(ticket_id)}.{reply_token(ticket_id)}@{mail_domain()}>"


def _verified(match: re.Match | None) -> int | None:
    if match is None:
        return None
    ticket_id = int(match.group(1))
    if ticket_id <= 0 or ticket_id >= 2**63:
        return None
    if not hmac.compare_digest(match.group(2).lower(), reply_token(ticket_id)):
        return None
    return ticket_id


def ticket_from_message_ids(message_ids: list[str]) -> int | None:
    """The ticket of the last of these Message-IDs that the desk sent (token verified)."""
    for value in reversed(message_ids):
        ticket_id = _verified(MESSAGE_ID_RE.fullmatch(value.strip()))
        if ticket_id is not None:
            return ticket_id
    return None


def ticket_from_addresses(addresses: list[str]) -> int | None:
    """The ticket whose reply address (with a valid token) is among these recipients."""
    for value in addresses:
        ticket_id = _verified(ADDRESS_TOKEN_RE.search(value or ""))
        if ticket_id is not None:
            return ticket_id
    return None


def fingerprint(raw: bytes) -> str:
    """A stand-in Message-ID for mail that has none: the same bytes, the same id."""
    return f"<sha256.{hashlib.sha256(raw).hexdigest()}@{mail_domain()}>"
