"""Every write to a ticket: one transaction each, an event for each change.

Callers pass a ticket they fetched through `Ticket.objects.visible_to(user)`;
the services re-read it under a row lock and decide whether the user may act.
Signals (tickets.signals) let the SLA engine and notifications join the same
transaction without tickets importing them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tier
from common.errors import Conflict, NotAllowed, field_error

from . import events, signals
from .models import Attachment, Category, Priority, Reply, Status, Ticket
from .permissions import can_work, is_customer_party, transition_refusal
from .priority import CUSTOMER_PRIORITIES
from .uploads import CheckedFile, check_upload

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User

MAX_SUBJECT = 200
MAX_TEXT = 50_000
MAX_FILES = 10


def _clean_text(value: str | None, *, field: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise field_error(field, _("The text contains a NUL character."))
    if required and not text:
        raise field_error(field, _("This field is required."), code="required")
    if len(text) > max_length:
        raise field_error(
            field, _("At most %(max)d characters, got %(n)d.") % {"max": max_length, "n": len(text)}
        )
    return text


def _check_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    if len(files) > MAX_FILES:
        raise field_error("attachments", _("At most %(n)d files at once.") % {"n": MAX_FILES})
    # Check every file before storing any, so a bad one leaves nothing behind.
    return [check_upload(f) for f in files]


def _store_files(
    *, ticket: Ticket, uploader: User, checked: Iterable[CheckedFile], reply: Reply | None
) -> list[Attachment]:
    stored = []
    internal = bool(reply and reply.internal)
    for item in checked:
        attachment = Attachment(
            ticket=ticket,
            reply=reply,
            uploaded_by=uploader,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
        )
        attachment.file.save(item.filename, item.upload, save=False)
        _FileCleanup.track(attachment)
        attachment.save()
        events.attachment_added(ticket=ticket, attachment=attachment, internal=internal)
        stored.append(attachment)
    return stored


class _FileCleanup:
    """Deletes the files stored inside a write that then failed.

    Files are not transactional: if anything in the block raises (and the
    transaction rolls back), the files it stored are removed again.
    """

    _local = threading.local()

    def __enter__(self) -> _FileCleanup:
        self._local.stack = [*getattr(self._local, "stack", []), []]
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        stack = self._local.stack
        files = stack.pop()
        if exc_type is not None:
            for storage, name in files:
                storage.delete(name)
        elif stack:
            stack[-1].extend(files)

    @classmethod
    def track(cls, attachment: Attachment) -> None:
        stack = getattr(cls._local, "stack", None)
        if stack:
            stack[-1].append((attachment.file.storage, attachment.file.name))


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def ticket_create(
    *,
    requester: User,
    subject: str,
    description: str,
    actor: User | None = None,
    category: Category | None = None,
    priority: str | None = None,
    files: Sequence[UploadedFile] = (),
) -> Ticket:
    """File a ticket for `requester`, by the requester or by staff on their behalf."""
    actor = actor or requester
    if not (actor.pk == requester.pk or actor.is_support_staff):
        raise NotAllowed(_("Only staff can file a ticket on someone else's behalf."))
    if not requester.is_active:
        raise field_error("requester", _("The requester's account is inactive."))
    subject = _clean_text(subject, field="subject", max_length=MAX_SUBJECT)
    description = _clean_text(description, field="description", max_length=MAX_TEXT)
    priority = priority or Priority.P3
    if priority not in Priority.values:
        raise field_error("priority", _("Unknown priority %(p)s.") % {"p": priority})
    if not actor.is_support_staff and priority not in CUSTOMER_PRIORITIES:
        raise field_error("priority", _("Customers can choose P2, P3 or P4; staff triage P1."))
    checked = _check_files(files)
    with _FileCleanup(), transaction.atomic():
        ticket = Ticket.objects.create(
            subject=subject,
            description=description,
            requester=requester,
            organisation_id=requester.organisation_id,
            category=category,
            priority=priority,
            tier=Tier.L1,
            status=Status.NEW,
            is_vip=requester.is_vip,
        )
        events.created(ticket=ticket, actor=actor)
        _store_files(ticket=ticket, uploader=actor, checked=checked, reply=None)
        signals.ticket_created.send(sender=Ticket, ticket=ticket, actor=actor)
    return ticket


def ticket_change_status(*, ticket: Ticket, actor: User, status: str, reason: str = "") -> Ticket:
    if status not in Status.values:
        raise field_error("status", _("Unknown status “%(s)s”.") % {"s": status})
    with transaction.atomic():
        ticket = _locked(ticket)
        refusal = transition_refusal(ticket=ticket, user=actor, target=status)
        if refusal:
            raise Conflict(refusal, code="invalid_transition")
        _set_status(ticket=ticket, actor=actor, status=status)
    return ticket


def _set_status(*, ticket: Ticket, actor: User | None, status: str) -> None:
    """Apply a status change already judged legal; write its event and signal."""
    before = ticket.status
    now = timezone.now()
    ticket.status = status
    fields = ["status", "updated_at"]
    if status == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    elif status == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    elif before in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = None
        ticket.closed_at = None
        fields += ["resolved_at", "closed_at"]
    ticket.save(update_fields=fields)
    events.status_changed(ticket=ticket, actor=actor, before=before, after=status)
    signals.ticket_status_changed.send(
        sender=Ticket, ticket=ticket, actor=actor, before=before, after=status
    )


def ticket_reply(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    internal: bool = False,
    files: Sequence[UploadedFile] = (),
) -> Reply:
    """Add a public reply or an internal note, with files."""
    body = _clean_text(body, field="body", max_length=MAX_TEXT)
    checked = _check_files(files)
    with _FileCleanup(), transaction.atomic():
        ticket = _locked(ticket)
        staff = can_work(ticket=ticket, user=author)
        if not staff and not is_customer_party(ticket=ticket, user=author):
            raise NotAllowed(_("You cannot reply to this ticket."))
        if internal and not staff:
            raise NotAllowed(_("Only staff can write internal notes."))
        if ticket.status == Status.CLOSED:
            raise Conflict(_("This ticket is closed; open a new one."), code="ticket_closed")
        reply = Reply.objects.create(ticket=ticket, author=author, body=body, internal=internal)
        events.reply_added(ticket=ticket, reply=reply)
        _store_files(ticket=ticket, uploader=author, checked=checked, reply=reply)
        if not internal:
            if staff and ticket.first_response_at is None:
                ticket.first_response_at = reply.created_at
                ticket.save(update_fields=["first_response_at", "updated_at"])
            else:
                ticket.save(update_fields=["updated_at"])
            if staff and ticket.status == Status.NEW:
                _set_status(ticket=ticket, actor=author, status=Status.OPEN)
            elif not staff and ticket.status in (Status.PENDING_CUSTOMER, Status.RESOLVED):
                # A customer answering a resolved ticket is reopening it: same rules apply.
                refusal = transition_refusal(ticket=ticket, user=author, target=Status.OPEN)
                if refusal:
                    raise Conflict(refusal, code="invalid_transition")
                _set_status(ticket=ticket, actor=author, status=Status.OPEN)
        signals.ticket_replied.send(sender=Ticket, ticket=ticket, reply=reply)
    return reply


def ticket_add_attachments(
    *, ticket: Ticket, uploader: User, files: Sequence[UploadedFile]
) -> list[Attachment]:
    if not files:
        raise field_error("attachments", _("Choose at least one file."), code="required")
    checked = _check_files(files)
    with _FileCleanup(), transaction.atomic():
        ticket = _locked(ticket)
        if not (
            can_work(ticket=ticket, user=uploader)
            or is_customer_party(ticket=ticket, user=uploader)
        ):
            raise NotAllowed(_("You cannot add files to this ticket."))
        if ticket.status == Status.CLOSED:
            raise Conflict(_("This ticket is closed; open a new one."), code="ticket_closed")
        attachments = _store_files(ticket=ticket, uploader=uploader, checked=checked, reply=None)
        ticket.save(update_fields=["updated_at"])
    return attachments


def ticket_assign(*, ticket: Ticket, actor: User, assignee: User | None) -> Ticket:
    """Assign to a technician who can work the ticket's tier, or unassign (None)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if not can_work(ticket=ticket, user=actor):
            raise NotAllowed(_("Only staff can assign tickets."))
        if assignee is not None:
            if not assignee.is_active or not can_work(ticket=ticket, user=assignee):
                raise field_error(
                    "assignee",
                    _("%(user)s cannot work a %(tier)s ticket.")
                    % {"user": assignee, "tier": ticket.tier},
                )
            climbing = Tier.rank(assignee.tier or Tier.L3) > Tier.rank(actor.tier or Tier.L3)
            if actor.is_technician and assignee.pk != actor.pk and climbing:
                raise NotAllowed(_("Technicians cannot assign to a higher tier; escalate instead."))
        before = ticket.assignee
        if (before.pk if before else None) == (assignee.pk if assignee else None):
            return ticket
        ticket.assignee = assignee
        fields = ["assignee", "updated_at"]
        if ticket.status == Status.NEW and assignee is not None:
            ticket.save(update_fields=fields)
            _set_status(ticket=ticket, actor=actor, status=Status.OPEN)
        else:
            ticket.save(update_fields=fields)
        events.assignee_changed(ticket=ticket, actor=actor, before=before, after=assignee)
        signals.ticket_assigned.send(
            sender=Ticket, ticket=ticket, actor=actor, before=before, after=assignee
        )
    return ticket


def ticket_change_priority(*, ticket: Ticket, actor: User | None, priority: str) -> Ticket:
    """Staff change the priority; `actor=None` is the system (escalation rules)."""
    if priority not in Priority.values:
        raise field_error("priority", _("Unknown priority “%(p)s”.") % {"p": priority})
    with transaction.atomic():
        ticket = _locked(ticket)
        if actor is not None and not can_work(ticket=ticket, user=actor):
            raise NotAllowed(_("Only staff can change the priority."))
        before = ticket.priority
        if before == priority:
            return ticket
        ticket.priority = priority
        ticket.save(update_fields=["priority", "updated_at"])
        events.priority_changed(ticket=ticket, actor=actor, before=before, after=priority)
        signals.ticket_priority_changed.send(
            sender=Ticket, ticket=ticket, actor=actor, before=before, after=priority
        )
    return ticket


def ticket_move_tier(*, ticket: Ticket, actor: User | None, tier: str, reason: str) -> Ticket:
    """Move a ticket to another tier (the escalation layer decides who may).

    An assignee who cannot work the new tier is released, so the ticket lands
    unclaimed in the new queue. Emits `ticket_tier_changed` so the SLA engine
    starts the tier's response clock.
    """
    if tier not in Tier.values:
        raise field_error("tier", _("Unknown tier “%(t)s”.") % {"t": tier})
    with transaction.atomic():
        ticket = _locked(ticket)
        if not ticket.is_active:
            raise Conflict(_("Only active tickets change tier."), code="ticket_inactive")
        before = ticket.tier
        if before == tier:
            raise Conflict(
                _("The ticket is already at %(tier)s.") % {"tier": tier}, code="same_tier"
            )
        ticket.tier = tier
        fields = ["tier", "updated_at"]
        released = None
        if ticket.assignee is not None and not can_work(ticket=ticket, user=ticket.assignee):
            released = ticket.assignee
            ticket.assignee = None
            fields.append("assignee")
        ticket.save(update_fields=fields)
        events.tier_changed(ticket=ticket, actor=actor, before=before, after=tier, reason=reason)
        if released is not None:
            events.assignee_changed(ticket=ticket, actor=actor, before=released, after=None)
        signals.ticket_tier_changed.send(
            sender=Ticket, ticket=ticket, actor=actor, before=before, after=tier, reason=reason
        )
    return ticket


def ticket_acknowledge(*, ticket: Ticket, actor: User) -> Ticket:
    """A technician of the ticket's tier confirms the request: meets the response clock."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if not can_work(ticket=ticket, user=actor):
            raise NotAllowed(_("Only staff can acknowledge tickets."))
        if not ticket.is_active:
            raise Conflict(_("Only active tickets can be acknowledged."), code="ticket_inactive")
        events.acknowledged(ticket=ticket, actor=actor)
        if ticket.status == Status.NEW:
            _set_status(ticket=ticket, actor=actor, status=Status.OPEN)
        signals.ticket_acknowledged.send(sender=Ticket, ticket=ticket, actor=actor)
    return ticket


def ticket_rate(*, ticket: Ticket, actor: User, rating: int, comment: str = "") -> Ticket:
    """The customer rates a resolved or closed ticket, once, 1 to 5."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise field_error("rating", _("Choose a rating from 1 to 5."))
    comment = _clean_text(comment, field="comment", max_length=5000, required=False)
    with transaction.atomic():
        ticket = _locked(ticket)
        if not is_customer_party(ticket=ticket, user=actor):
            raise NotAllowed(_("Only the customer can rate a ticket."))
        if ticket.status not in (Status.RESOLVED, Status.CLOSED):
            raise Conflict(_("A ticket can be rated once it is resolved."), code="not_resolved")
        if ticket.satisfaction_rating is not None:
            raise Conflict(_("This ticket has already been rated."), code="already_rated")
        ticket.satisfaction_rating = rating
        ticket.satisfaction_comment = comment
        ticket.save(update_fields=["satisfaction_rating", "satisfaction_comment", "updated_at"])
        events.rated(ticket=ticket, actor=actor, rating=rating)
    return ticket
