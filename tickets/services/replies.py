"""Replies, internal notes and files added to a ticket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError, Conflict, NotAllowed, field_error

from .. import events, signals
from ..models import Attachment, Participation, Reply, Status, Ticket
from ..permissions import can_work, is_customer_party, transition_refusal
from .changes import STATUS_COLUMNS, Outcome, statuses_change
from .inputs import MAX_TEXT, FileCleanup, check_files, clean_text, lock_many, locked, store_files
from .participation import participations_record
from .rows import Answered, answered_columns, tickets_write

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User


def ticket_reply(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    internal: bool = False,
    files: Sequence[UploadedFile] = (),
) -> Reply:
    """Add a public reply or an internal note, with files."""
    body = clean_text(body, field="body", max_length=MAX_TEXT)
    checked = check_files(files)
    with FileCleanup(), transaction.atomic():
        ticket = locked(ticket)
        staff = can_work(ticket=ticket, user=author)
        if not staff and not is_customer_party(ticket=ticket, user=author):
            raise NotAllowed(_("You cannot reply to this ticket."))
        if internal and not staff:
            raise NotAllowed(_("Only staff can write internal notes."))
        if ticket.status == Status.CLOSED:
            raise Conflict(_("This ticket is closed; open a new one."), code="ticket_closed")
        reply = Reply.objects.create(ticket=ticket, author=author, body=body, internal=internal)
        added = events.insert([events.reply_added(ticket=ticket, reply=reply)])
        if staff:
            how = Participation.NOTED if internal else Participation.REPLIED
            participations_record(worked=[(ticket.pk, author.pk, how)], at=reply.created_at)
        store_files(ticket=ticket, uploader=author, checked=checked, reply=reply)
        reopened: list = []
        answered: Answered = {}
        columns: tuple[str, ...] = ()
        if not internal:
            ticket.updated_at = timezone.now()
            columns = ("updated_at",)
            if staff and ticket.first_response_at is None:
                ticket.first_response_at = reply.created_at
                columns = ("first_response_at", "updated_at")
            opening = False
            if staff and ticket.status == Status.NEW:
                opening = True
            elif not staff and ticket.status in (Status.PENDING_CUSTOMER, Status.RESOLVED):
                # A customer answering a resolved ticket is reopening it: same rules apply.
                refusal = transition_refusal(ticket=ticket, user=author, target=Status.OPEN)
                if refusal:
                    raise Conflict(refusal, code="invalid_transition")
                opening = True
            if opening:
                reopened, answered = statuses_change(
                    tickets=[ticket], actor=author, status=Status.OPEN
                )
                columns = tuple(dict.fromkeys((*columns, *STATUS_COLUMNS)))
        # The SLA engine answers the clocks the reply met or started: the row is written once,
        # with the reply's own columns and the status it caused (an internal note writes none).
        answers = signals.tickets_replied.send(sender=Ticket, replies=[(ticket, reply)])
        answered = answered_columns(answers, into=answered)
        if columns or answered:
            tickets_write(tickets=[ticket], columns=columns, answered=answered)
        # The status change the reply caused first, then the reply (as they happened).
        events.announce(reopened + added)
    return reply


def ticket_add_attachments(
    *, ticket: Ticket, uploader: User, files: Sequence[UploadedFile]
) -> list[Attachment]:
    if not files:
        raise field_error("attachments", _("Choose at least one file."), code="required")
    checked = check_files(files)
    with FileCleanup(), transaction.atomic():
        ticket = locked(ticket)
        if not (
            can_work(ticket=ticket, user=uploader)
            or is_customer_party(ticket=ticket, user=uploader)
        ):
            raise NotAllowed(_("You cannot add files to this ticket."))
        if ticket.status == Status.CLOSED:
            raise Conflict(_("This ticket is closed; open a new one."), code="ticket_closed")
        attachments = store_files(ticket=ticket, uploader=uploader, checked=checked, reply=None)
        ticket.save(update_fields=["updated_at"])
    return attachments


def tickets_add_note(*, tickets: Sequence[Ticket], author: User, body: str) -> list[Outcome]:
    """The same internal note on many tickets (staff only; closed tickets refused), one
    Outcome per ticket (`record`: the note). Notes notify nobody and never reach customers."""
    body = clean_text(body, field="body", max_length=MAX_TEXT)

    def check(ticket: Ticket) -> None:
        if not can_work(ticket=ticket, user=author):
            raise NotAllowed(_("Only staff can write internal notes."))
        if ticket.status == Status.CLOSED:
            raise Conflict(_("This ticket is closed; open a new one."), code="ticket_closed")

    with transaction.atomic():
        fresh = lock_many([t.pk for t in tickets])
        outcomes = []
        for ticket in tickets:
            try:
                check(fresh[ticket.pk])
            except ApplicationError as refused:
                outcomes.append(Outcome(fresh[ticket.pk], refused))
            else:
                outcomes.append(Outcome(fresh[ticket.pk]))
        allowed = [o for o in outcomes if o.ok]
        replies = Reply.objects.bulk_create(
            [Reply(ticket=o.ticket, author=author, body=body, internal=True) for o in allowed]
        )
        recorded = events.insert(
            [
                events.reply_added(ticket=o.ticket, reply=reply)
                for o, reply in zip(allowed, replies, strict=True)
            ]
        )
        participations_record(
            worked=[(o.ticket.pk, author.pk, Participation.NOTED) for o in allowed]
        )
        for outcome, reply in zip(allowed, replies, strict=True):
            outcome.record = reply
        # One signal for the write: the clocks of all its tickets are handled set-based (notes
        # change none; an answer would be written with the rows).
        answers = signals.tickets_replied.send(
            sender=Ticket,
            replies=[(o.ticket, reply) for o, reply in zip(allowed, replies, strict=True)],
        )
        answered = answered_columns(answers)
        if answered:
            tickets_write(
                tickets=[o.ticket for o in allowed if o.ticket.pk in answered],
                columns=(),
                answered=answered,
            )
        events.announce(recorded)
    return outcomes
