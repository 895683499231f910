"""Building the mails the tests deliver."""

from __future__ import annotations

import io
import uuid
import zipfile
from email.message import EmailMessage
from email.utils import formatdate


def new_id() -> str:
    return f"<{uuid.uuid4().hex}@client.example>"


def mail(
    *,
    sender: str = "alice@example.com",
    to: str = "helpdesk@localhost",
    subject: str = "Printer jams",
    text: str | None = "The printer on floor 2 jams.",
    html: str | None = None,
    headers: dict | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
    message_id: str | None = None,
) -> bytes:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = message_id or new_id()
    for name, value in (headers or {}).items():
        message[name] = value
    if text is not None:
        message.set_content(text)
    if html is not None:
        if text is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        main, sub = content_type.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=filename)
    return message.as_bytes()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.txt", b"\0" * (20 * 1024 * 1024))
    return buffer.getvalue()


def bounce(*, failed: str, original_subject: str = "Printer jams") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: helpdesk@localhost\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {new_id()}\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Subject: [HD-000001] {original_subject}\r\n"
        "\r\n--B--\r\n"
    ).encode()
