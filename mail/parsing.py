"""Raw RFC 5322 bytes → what the help desk needs to know, or a reason to quarantine.

Pure: no database. Uses the standard `email` package with `policy.default`. Anything
the parser cannot read safely raises Malformed with a reason for the quarantine: too
large, huge headers, no From, text that is not valid in its charset, a zip bomb.
"""

from __future__ import annotations

import email
import io
import re
import zipfile
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

import nh3
from markdownify import markdownify

MAX_HEADER_BYTES = 100_000
MAX_PARTS = 200
# A zip whose content unpacks past this, or to more than this many times its size, is a bomb.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_ZIP_ENTRIES = 10_000

AUTOMATIC_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder")
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
DAEMON_LOCAL_PARTS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}
MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")
HTML_TAGS = {
    "p", "br", "div", "span", "strong", "b", "em", "i", "u", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody",
    "tr", "th", "td", "hr",
}  # fmt: skip


class Malformed(Exception):
    """The mail cannot be taken in; the message is the quarantine reason."""


@dataclass
class Part:
    filename: str
    content_type: str
    data: bytes


@dataclass
class ParsedMail:
    message_id: str
    sender: str
    sender_name: str
    subject: str
    recipients: list[str]
    thread_ids: list[str]
    text: str
    attachments: list[Part] = field(default_factory=list)
    automatic: str = ""  # why it is automatic or bulk mail ('' for a person's mail)
    bounce: bool = False
    failed_recipients: list[str] = field(default_factory=list)


def header_block(raw: bytes) -> bytes:
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = raw.find(separator)
        if end != -1:
            return raw[: end + len(separator)]
    return raw


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception as exc:  # noqa: BLE001 - any header the parser chokes on
        raise Malformed(f"Unreadable {name} header: {exc.__class__.__name__}") from exc
    text = str(value or "")
    if any("\udc80" <= c <= "\udcff" for c in text):
        raise Malformed(f"The {name} header is not properly encoded.")
    return text


def message_ids(value: str) -> list[str]:
    return MESSAGE_ID_RE.findall(value or "")


def _automatic(message: EmailMessage, sender: str) -> tuple[str, bool]:
    """(why the mail is automatic or bulk, whether it is a bounce)."""
    local = sender.rpartition("@")[0].lower()
    content_type = message.get_content_type()
    report = str(message.get_param("report-type", "") or "").lower()
    if local in DAEMON_LOCAL_PARTS or (
        content_type == "multipart/report" and report == "delivery-status"
    ):
        return "bounce", True
    auto = _header(message, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}", False
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}", False
    for name in AUTOMATIC_HEADERS:
        if message.get(name) is not None:
            return name, False
    if message.get("List-Id") is not None or message.get("List-Unsubscribe") is not None:
        return "mailing list", False
    if (message.get("Return-Path") or "").strip() == "<>":
        return "bounce", True
    return "", False


def _failed_recipients(message: EmailMessage) -> list[str]:
    failed = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in part.get_payload() or []:
            if not hasattr(block, "get"):
                continue
            action = str(block.get("Action", "failed")).strip().lower()
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            address = recipient.rpartition(";")[2].strip().strip("<>").lower()
            if action == "failed" and "@" in address:
                failed.append(address)
    failed += [
        parseaddr(v)[1].lower() for v in message.get_all("X-Failed-Recipients", []) if "@" in v
    ]
    return sorted(set(failed))


def _bytes(part: EmailMessage) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _text_of(part: EmailMessage) -> str:
    payload = _bytes(part)
    charset = part.get_content_charset() or "us-ascii"
    try:
        return payload.decode(charset)
    except LookupError as exc:
        raise Malformed(f"Unknown character set “{charset}”.") from exc
    except UnicodeDecodeError as exc:
        if charset in ("us-ascii", "ascii"):
            try:
                return payload.decode("utf-8")
            except UnicodeDecodeError:
                pass
        raise Malformed(f"The text is not valid {charset}.") from exc


def html_to_markdown(html: str) -> str:
    """Sanitise first (scripts, styles, images and handlers gone), then convert."""
    clean = nh3.clean(html, tags=HTML_TAGS, attributes={"a": {"href"}}, strip_comments=True)
    try:
        text = markdownify(clean, heading_style="ATX", bullets="-")
    except RecursionError as exc:
        raise Malformed("The HTML is nested too deeply to read.") from exc
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def check_archive(data: bytes, *, filename: str) -> None:
    """Refuse a zip that unpacks to far more than it weighs (a zip bomb)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Malformed(f"“{filename}” is not a readable zip archive.") from exc
    unpacked = sum(entry.file_size for entry in entries)
    if (
        len(entries) > MAX_ZIP_ENTRIES
        or unpacked > MAX_UNZIPPED_BYTES
        or unpacked > MAX_ZIP_RATIO * max(len(data), 1)
    ):
        raise Malformed(f"“{filename}” unpacks to {unpacked} bytes from {len(data)} (a zip bomb).")


def _attachments(message: EmailMessage) -> list[Part]:
    parts = []
    for number, part in enumerate(message.walk()):
        if number > MAX_PARTS:
            raise Malformed(f"More than {MAX_PARTS} MIME parts.")
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        inline_image = part.get_content_maintype() == "image" and part.get("Content-ID")
        if disposition != "attachment" and not filename and not inline_image:
            continue
        data = _bytes(part)
        if not filename:
            subtype = part.get_content_subtype()
            filename = f"inline-{number}.{'jpg' if subtype == 'jpeg' else subtype}"
        if part.get_content_type() in ("application/zip", "application/x-zip-compressed") or (
            filename.lower().endswith(".zip")
        ):
            check_archive(data, filename=filename)
        parts.append(Part(filename=filename, content_type=part.get_content_type(), data=data))
    return parts


def parse_mail(raw: bytes, *, max_bytes: int) -> ParsedMail:
    """Read a mail; raise Malformed (with the reason) for anything unsafe or unreadable."""
    head = header_block(raw)
    if len(head) > MAX_HEADER_BYTES:
        raise Malformed(f"The headers are {len(head)} bytes (limit {MAX_HEADER_BYTES}).")
    if len(raw) > max_bytes:
        raise Malformed(f"The mail is {len(raw)} bytes (limit {max_bytes}).")
    message = email.message_from_bytes(raw, policy=policy.default)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy.default makes these
        raise Malformed("Not an e-mail message.")
    from_header = _header(message, "From")
    name, sender = parseaddr(from_header)
    if not sender or "@" not in sender:
        raise Malformed("The mail has no usable From address.")
    subject = " ".join(_header(message, "Subject").split())
    recipients = [
        address.lower()
        for header in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")
        for _name, address in getaddresses([_header(message, header)])
        if address
    ]
    thread = message_ids(_header(message, "References")) + message_ids(
        _header(message, "In-Reply-To")
    )
    ids = message_ids(_header(message, "Message-ID"))
    automatic, bounce = _automatic(message, sender.lower())
    parsed = ParsedMail(
        message_id=ids[0] if ids else "",
        sender=sender.lower(),
        sender_name=name,
        subject=subject,
        recipients=recipients,
        thread_ids=thread,
        text="",
        automatic=automatic,
        bounce=bounce,
    )
    if bounce:
        parsed.failed_recipients = _failed_recipients(message)
        return parsed
    if automatic:
        return parsed
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        text = _text_of(body)  # type: ignore[arg-type]
        parsed.text = html_to_markdown(text) if body.get_content_subtype() == "html" else text
    parsed.text = parsed.text.replace("\x00", "").replace("\r\n", "\n").strip()
    parsed.attachments = [part for part in _attachments(message) if part is not body and part.data]
    return parsed
