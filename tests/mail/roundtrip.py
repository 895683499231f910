"""Steps of a mail round trip shared by the service-level and browser tests."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage

from escalation.services.delivery import notifications_deliver_due
from mail.services.polling import mailbox_poll
from tests.mail.mails import mail


def deliver_outbox_and_receive(smtp, recipient: str) -> EmailMessage:
    """Send what the outbox holds through SMTP; return the one mail `recipient` got."""
    smtp.clear()
    notifications_deliver_due()
    got = [
        email.message_from_bytes(content, policy=policy.default)
        for _sender, rcpts, content in smtp.messages
        if recipient in rcpts
    ]
    replies = [m for m in got if m["Auto-Submitted"] is None]
    assert len(replies) == 1, [m["Subject"] for m in got]
    return replies[0]


def answer(received: EmailMessage, *, sender: str, text: str) -> bytes:
    """What a mail client sends when the customer presses Reply."""
    quoted = "\n".join(
        f"> {line}" for line in received.get_body(("plain",)).get_content().splitlines()
    )
    references = f"{received['References']} {received['Message-ID']}".strip()
    return mail(
        sender=sender,
        to=str(received["Reply-To"]),
        subject=f"Re: {received['Subject']}",
        text=f"{text}\n\nOn Tue, 1 Dec 2026 at 10:00, Tierdesk <helpdesk@localhost> wrote:\n"
        f"{quoted}\n",
        headers={"In-Reply-To": received["Message-ID"], "References": references},
    )


def poll(mailbox) -> dict:
    result = mailbox_poll(mailbox_id=mailbox.pk)
    assert not result.error, result.error
    return result.outcomes
