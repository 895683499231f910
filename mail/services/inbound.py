"""One raw mail → at most one ticket or reply, exactly once per (mailbox, Message-ID).

The InboundMail row and the ticket or reply it made commit in one transaction: a crash
before the commit leaves nothing (the mail is still unmarked and is read again), a crash
after it leaves the row, and the next read finds the row and only marks the mail.

Order of judgement: duplicate → malformed (quarantine) → bounce (mark the address) →
automatic or bulk (ignored, never answered) → sender rate limit → thread (a reply, if
the mail answers a Message-ID the desk sent or carries a valid reply token and the
sender may see that ticket) → new ticket (known customer; unknown senders by the
mailbox's setting).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from common.errors import ApplicationError, Conflict
from tickets.models import Status, Ticket
from tickets.services import MAX_FILES, MAX_SUBJECT, MAX_TEXT, ticket_create, ticket_reply
from tickets.uploads import check_upload

from .. import addresses
from ..models import FailingAddress, ForeignReplies, InboundMail, Mailbox, Outcome, UnknownSenders
from ..parsing import Malformed, ParsedMail, header_block, parse_mail
from ..replies import strip_quotes

log = logging.getLogger(__name__)

SUBJECT_TAG_RE = re.compile(r"\[HD-\d{1,12}\]\s*", re.IGNORECASE)
REPLY_PREFIX_RE = re.compile(r"^\s*((re|aw|wg|fw|fwd|antw)\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class Received:
    outcome: str
    reason: str = ""
    ticket_id: int | None = None
    duplicate: bool = False


def _message_id(raw: bytes) -> str:
    """The mail's Message-ID (from the headers alone), else a fingerprint of its bytes."""
    from email import message_from_bytes, policy

    try:
        head = message_from_bytes(header_block(raw)[:200_000], policy=policy.default)
        value = str(head.get("Message-ID") or "").strip()
    except Exception:  # noqa: BLE001 - unreadable headers get a fingerprint
        value = ""
    if not value or len(value) > 250 or any("\udc80" <= c <= "\udcff" for c in value):
        return addresses.fingerprint(raw)
    return value


def inbound_mail_receive(
    *, mailbox: Mailbox, raw: bytes, size: int | None = None, now=None
) -> Received:
    """Take one mail in. `raw` may be only the headers when `size` says the mail is too big."""
    now = now or timezone.now()
    message_id = _message_id(raw)
    existing = InboundMail.objects.filter(mailbox=mailbox, message_id=message_id).first()
    if existing is not None:
        return Received(existing.outcome, existing.reason, existing.ticket_id, duplicate=True)
    limit = settings.TIERDESK_MAIL_MAX_BYTES
    try:
        if size is not None and size > limit:
            raise Malformed(f"The mail is {size} bytes (limit {limit}).")
        parsed = parse_mail(raw, max_bytes=limit)
    except Malformed as bad:
        return _record(mailbox, message_id, raw, now, Outcome.QUARANTINED, str(bad), size=size)
    except Exception as exc:  # noqa: BLE001 - whatever trips the parser must not block the box
        log.exception("Mail %s could not be parsed", message_id)
        reason = f"Unreadable mail ({exc.__class__.__name__}: {exc})"
        return _record(mailbox, message_id, raw, now, Outcome.QUARANTINED, reason, size=size)
    try:
        with transaction.atomic():
            return _judge(mailbox, message_id, raw, parsed, now)
    except IntegrityError:
        # Another poller took the same mail at the same moment: it is theirs.
        existing = InboundMail.objects.filter(mailbox=mailbox, message_id=message_id).first()
        if existing is None:
            raise
        return Received(existing.outcome, existing.reason, existing.ticket_id, duplicate=True)
    except ApplicationError as refused:
        return _record(
            mailbox, message_id, raw, now, Outcome.QUARANTINED, refused.detail, parsed=parsed
        )
    except DatabaseError:
        raise  # the database is away: the mail stays unmarked and is read again next poll
    except Exception as exc:  # noqa: BLE001 - a defect on one mail must not block the next
        log.exception("Mail %s could not be taken in", message_id)
        reason = f"Could not be taken in ({exc.__class__.__name__}: {exc})"
        return _record(mailbox, message_id, raw, now, Outcome.QUARANTINED, reason, parsed=parsed)


def _record(
    mailbox: Mailbox,
    message_id: str,
    raw: bytes,
    now,
    outcome: str,
    reason: str = "",
    *,
    parsed: ParsedMail | None = None,
    ticket: Ticket | None = None,
    reply=None,
    size: int | None = None,
    judged: bool = False,
) -> Received:
    row = InboundMail(
        mailbox=mailbox,
        message_id=message_id,
        sender=(parsed.sender if parsed else "")[:254],
        subject=(parsed.subject if parsed else "")[:250],
        outcome=outcome,
        reason=reason[:2000],
        ticket=ticket,
        reply=reply,
        size=size if size is not None else len(raw),
        received_at=now,
    )
    kept = raw if len(raw) <= settings.TIERDESK_MAIL_MAX_BYTES else header_block(raw)
    row.original.save("original.eml", ContentFile(kept), save=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        row.original.delete(save=False)
        if judged:
            raise  # another poller took this mail first: roll back what this one made
        existing = InboundMail.objects.get(mailbox=mailbox, message_id=message_id)
        return Received(existing.outcome, existing.reason, existing.ticket_id, duplicate=True)
    if outcome == Outcome.QUARANTINED:
        log.warning("Mail %s quarantined: %s", message_id, reason)
    return Received(outcome, reason, ticket.pk if ticket else None)


def _judge(mailbox: Mailbox, message_id: str, raw: bytes, parsed: ParsedMail, now) -> Received:
    def done(outcome, reason="", **kw) -> Received:
        return _record(
            mailbox, message_id, raw, now, outcome, reason, parsed=parsed, judged=True, **kw
        )

    if parsed.bounce:
        for address in parsed.failed_recipients:
            failing_address_mark(email=address, reason=parsed.subject, now=now)
        return done(Outcome.BOUNCE, ", ".join(parsed.failed_recipients))
    if parsed.automatic:
        return done(Outcome.AUTOMATIC, parsed.automatic)
    if _from_the_desk(parsed):
        return done(Outcome.AUTOMATIC, "the help desk's own mail")
    since = now - timedelta(hours=1)
    recent = InboundMail.objects.filter(sender=parsed.sender, received_at__gte=since).exclude(
        outcome__in=[Outcome.AUTOMATIC, Outcome.BOUNCE, Outcome.QUARANTINED]
    )
    if recent.count() >= settings.TIERDESK_MAIL_SENDER_LIMIT_PER_HOUR:
        return done(Outcome.RATE_LIMITED, parsed.sender)
    user = User.objects.filter(email__iexact=parsed.sender, is_active=True).order_by("pk").first()
    ticket_id = _thread(mailbox, parsed)
    if ticket_id is not None:
        ticket = Ticket.objects.visible_to(user).filter(pk=ticket_id).first() if user else None
        if user is not None and ticket is not None:
            if ticket.status != Status.CLOSED:
                files, dropped = _files(parsed)
                try:
                    with transaction.atomic():
                        reply = ticket_reply(
                            ticket=ticket,
                            author=user,
                            body=_with_note(_reply_body(parsed), dropped),
                            files=files,
                        )
                except Conflict:
                    reply = None  # closed meanwhile, or may not reopen: a follow-up ticket
                if reply is not None:
                    return done(Outcome.REPLY, ticket=ticket, reply=reply)
            return _new_ticket(mailbox, parsed, user, done, follow_up=ticket)
        if mailbox.foreign_replies == ForeignReplies.REFUSE:
            _refuse(mailbox, parsed, _("This address cannot add to that ticket."))
            return done(Outcome.REFUSED, "sender may not see the ticket")
    return _new_ticket(mailbox, parsed, user, done)


def _from_the_desk(parsed: ParsedMail) -> bool:
    """A copy of a mail the desk sent (its Message-ID verifies, or it is from the desk's own
    address): taking it in would make the desk answer itself."""
    own = addresses.base_address().lower()
    local, _sep, domain = own.rpartition("@")
    sender_local, _sep, sender_domain = parsed.sender.rpartition("@")
    same_address = sender_domain == domain and sender_local.split("+", 1)[0] == local
    return same_address or addresses.ticket_from_message_ids([parsed.message_id]) is not None


def _thread(mailbox: Mailbox, parsed: ParsedMail) -> int | None:
    """The ticket this mail answers: a Message-ID the desk sent, the customer's own earlier
    mail, or the reply token in a recipient address; a subject tag alone never counts."""
    ticket_id = addresses.ticket_from_message_ids(parsed.thread_ids)
    if ticket_id is not None:
        return ticket_id
    if parsed.thread_ids:
        earlier = (
            InboundMail.objects.filter(message_id__in=parsed.thread_ids[-20:], ticket__isnull=False)
            .order_by("-received_at")
            .values_list("ticket_id", flat=True)
            .first()
        )
        if earlier is not None:
            return earlier
    return addresses.ticket_from_addresses(parsed.recipients)


def _new_ticket(mailbox, parsed: ParsedMail, user, done, follow_up: Ticket | None = None):
    if user is None:
        if mailbox.unknown_senders != UnknownSenders.CREATE or mailbox.organisation_id is None:
            _refuse(mailbox, parsed, _("We only accept requests from registered customers."))
            return done(Outcome.REFUSED, "unknown sender")
        user = customer_create_from_mail(
            email=parsed.sender, name=parsed.sender_name, organisation_id=mailbox.organisation_id
        )
    subject = REPLY_PREFIX_RE.sub("", SUBJECT_TAG_RE.sub("", parsed.subject)).strip()
    subject = subject or _("(no subject)")
    if follow_up is not None:
        subject = _("Follow-up to %(ref)s: %(subject)s") % {
            "ref": follow_up.reference,
            "subject": subject,
        }
    files, dropped = _files(parsed)
    ticket = ticket_create(
        requester=user,
        subject=subject[:MAX_SUBJECT],
        description=_with_note(_limited(parsed.text) or _("(no text)"), dropped),
        category_id=mailbox.category_id,
        priority=mailbox.priority if not user.is_support_staff else None,
        files=files,
    )
    return done(Outcome.TICKET, ticket=ticket)


def _limited(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    note = "\n\n" + _("(Shortened; the full original mail is kept for staff.)")
    return text[: MAX_TEXT - len(note)] + note


def _reply_body(parsed: ParsedMail) -> str:
    return _limited(strip_quotes(parsed.text) or parsed.text) or _("(no text)")


def _files(parsed: ParsedMail) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The attachments the upload checks accept (as the browser's), and why others were not
    taken (the mail's original, kept for staff, still has them)."""
    accepted: list[SimpleUploadedFile] = []
    dropped: list[str] = []
    for part in parsed.attachments:
        upload = SimpleUploadedFile(part.filename, part.data, content_type=part.content_type)
        if len(accepted) >= MAX_FILES:
            dropped.append(_("“%(name)s”: too many files") % {"name": part.filename[:100]})
            continue
        try:
            check_upload(upload)
        except ApplicationError as refused:
            name = part.filename[:100]
            dropped.append(
                refused.detail if name in refused.detail else f"“{name}”: {refused.detail}"
            )
            continue
        accepted.append(upload)
    return accepted, dropped


def _with_note(text: str, dropped: list[str]) -> str:
    if not dropped:
        return text
    note = _("Attachments not taken (the original mail is kept for staff):")
    lines = "\n".join(f"- {reason}" for reason in dropped)
    return _limited(f"{text}\n\n{note}\n{lines}")


def customer_create_from_mail(*, email: str, name: str, organisation_id: int) -> User:
    """A customer for an unknown sender, in the mailbox's organisation (no password yet:
    they set one through password reset)."""
    base = email.lower()[:150]
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base[:140]}-{n}"
    first, _sep, last = (name or "").strip().partition(" ")
    user = User(
        username=username,
        email=email.lower(),
        role=Role.CUSTOMER,
        organisation_id=organisation_id,
        first_name=first[:150],
        last_name=last[:150],
    )
    user.set_unusable_password()
    user.save()
    return user


def failing_address_mark(*, email: str, reason: str, now=None) -> FailingAddress:
    now = now or timezone.now()
    row, created = FailingAddress.objects.get_or_create(
        email=email.lower()[:254], defaults={"reason": reason[:2000], "failed_at": now}
    )
    if not created:
        FailingAddress.objects.filter(pk=row.pk).update(
            bounces=F("bounces") + 1, failed_at=now, reason=reason[:2000]
        )
        row.refresh_from_db()
    return row


def _refuse(mailbox: Mailbox, parsed: ParsedMail, why: str) -> None:
    """A polite answer to a person (never to automatic mail: judged before this), after
    the commit, marked as an automatic reply so their auto-responder stays quiet.

    At most TIERDESK_MAIL_REFUSALS_PER_HOUR per mailbox: spam with forged senders must not
    turn the desk into a source of backscatter.
    """
    recent = InboundMail.objects.filter(
        mailbox=mailbox,
        outcome=Outcome.REFUSED,
        received_at__gte=timezone.now() - timedelta(hours=1),
    )
    if recent.count() >= settings.TIERDESK_MAIL_REFUSALS_PER_HOUR:
        log.warning("Refusal to %s not sent: the hourly limit is reached", parsed.sender)
        return
    language = (
        User.objects.filter(email__iexact=parsed.sender).values_list("language", flat=True).first()
        or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        subject = _("Re: %(subject)s") % {"subject": parsed.subject or _("your message")}
        body = "\n\n".join(
            [
                _("Hello,"),
                _("thank you for your message. We could not add it to the help desk: %(why)s")
                % {"why": why},
                _("Please use the customer portal: %(url)s") % {"url": settings.SITE_URL},
            ]
        )
    headers = {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
    if parsed.message_id:
        headers["In-Reply-To"] = parsed.message_id
        headers["References"] = parsed.message_id
    message = EmailMessage(
        subject=subject[:250],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[parsed.sender],
        headers=headers,
    )

    def send() -> None:
        try:
            message.send()
        except Exception:  # noqa: BLE001 - a refusal that cannot be sent is only logged
            log.warning("Could not send the refusal to %s", parsed.sender)

    transaction.on_commit(send)
