"""What a notification looks like as an e-mail: headers, thread, reply token, HTML part.

The outbox (escalation) decides who is told what; this module only turns one outbox
row into a message. Every mail about a ticket belongs to one thread: a stable Message-ID
per notification (a retried delivery is the same message), In-Reply-To/References of
the ticket's thread (its root and the customer's original mail, when the ticket came
by mail), and a Reply-To address carrying the ticket's reply token, so the answer comes
back to this ticket and only this one.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

import nh3
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from common.text import single_line
from tickets.markdown import ALLOWED_ATTRIBUTES, ALLOWED_SCHEMES, ALLOWED_TAGS

from . import addresses

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket

# Notification kinds that carry a person's words (a reply); every other kind is written by
# the system and says so with Auto-Submitted, so well-behaved auto-responders stay quiet.
PERSONAL_KINDS = frozenset({"reply", "customer_reply"})


class OutboxRow(Protocol):
    pk: int
    kind: str
    subject: str
    body: str
    recipient: User
    ticket: Ticket | None


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
        "table"
    )


def body_html(text: str) -> str:
    """The text part as safe HTML (Markdown with line breaks kept, sanitised)."""
    return nh3.clean(
        _renderer().render(text or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def thread_ids(ticket: Ticket) -> list[str]:
    """Message-IDs of the ticket's thread, oldest first: its root, then the mail it came
    from (if a customer opened it by e-mail)."""
    ids = [addresses.thread_root_id(ticket.pk)]
    from .selectors import ticket_origin_message_id

    origin = ticket_origin_message_id(ticket_id=ticket.pk)
    if origin:
        ids.append(origin)
    return ids


def recipient_language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def notification_email(row: OutboxRow) -> EmailMultiAlternatives:
    """The e-mail for one outbox row, in its recipient's language."""
    ticket = row.ticket
    if ticket is None:
        return _notice_email(row)
    automatic = row.kind not in PERSONAL_KINDS
    language = recipient_language(row.recipient)
    thread = thread_ids(ticket)
    with translation.override(language):
        hint = _(
            "Reply to this e-mail to answer on ticket %(ref)s. Write above the quoted text."
        ) % {"ref": ticket.reference}
        text = f"{row.body}\n\n-- \n{hint}\n"
        html = render_to_string(
            "mail/notification.html",
            {"body": body_html(row.body), "hint": hint, "language": language},
        )
    headers = {
        "Message-ID": addresses.notification_message_id(
            notification_id=row.pk, ticket_id=ticket.pk
        ),
        "In-Reply-To": thread[-1],
        "References": " ".join(thread),
        "Content-Language": language,
        "X-Tierdesk-Ticket": ticket.reference,
    }
    if automatic:
        headers["Auto-Submitted"] = "auto-generated"
    message = EmailMultiAlternatives(
        subject=single_line(row.subject),
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient.email],
        reply_to=[addresses.reply_address(ticket.pk)],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message


def _notice_email(row: OutboxRow) -> EmailMultiAlternatives:
    """A notice about no one ticket (a maintenance release): no thread, no reply address."""
    language = recipient_language(row.recipient)
    with translation.override(language):
        html = render_to_string(
            "mail/notification.html",
            {"body": body_html(row.body), "hint": "", "language": language},
        )
    message = EmailMultiAlternatives(
        subject=single_line(row.subject),
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient.email],
        headers={
            "Message-ID": f"<n{row.pk}.notice@{addresses.mail_domain()}>",
            "Content-Language": language,
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def digest_email(*, recipient: User, subject: str, body: str, key: int) -> EmailMultiAlternatives:
    """Many notices to one person in one e-mail (staff digests). It spans tickets, so it
    carries no thread and no reply address: answers go on the tickets it links."""
    language = recipient_language(recipient)
    with translation.override(language):
        html = render_to_string(
            "mail/notification.html",
            {"body": body_html(body), "hint": "", "language": language},
        )
    message = EmailMultiAlternatives(
        subject=single_line(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            "Message-ID": f"<d{key}.digest@{addresses.mail_domain()}>",
            "Content-Language": language,
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
