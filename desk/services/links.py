"""Links between tickets (related, parent/child) and merging a duplicate into its original."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from common.errors import Conflict, NotAllowed, field_error
from escalation.models import NotificationKind
from escalation.services.notify import notifications_create, ticket_url
from sla.services.stopping import clocks_stop
from tickets.models import Attachment, LinkKind, Reply, Status, Ticket, TicketLink, Watcher
from tickets.permissions import can_work
from tickets.services import ticket_change_status

from .. import events
from .watchers import watchers_move

if TYPE_CHECKING:
    from accounts.models import User


def _lock_both(first: Ticket, second: Ticket) -> tuple[Ticket, Ticket]:
    """Lock two tickets in id order (no deadlock with a merge the other way round)."""
    rows = {
        t.pk: t
        for t in Ticket.objects.select_for_update()
        .filter(pk__in=[first.pk, second.pk])
        .order_by("pk")
    }
    return rows[first.pk], rows[second.pk]


def _check_pair(*, source: Ticket, target: Ticket, actor: User) -> None:
    if source.pk == target.pk:
        raise field_error("target", _("A ticket cannot be linked to itself."))
    if not (can_work(ticket=source, user=actor) and can_work(ticket=target, user=actor)):
        raise NotAllowed(_("Only staff who can work both tickets can link them."))


def _existing(source: Ticket, target: Ticket):
    return TicketLink.objects.filter(
        Q(source=source, target=target) | Q(source=target, target=source)
    )


def ticket_link(*, source: Ticket, target: Ticket, kind: str, actor: User) -> TicketLink:
    """Link two tickets: `related`, or `parent` (source is the parent of target)."""
    if kind not in (LinkKind.RELATED, LinkKind.PARENT):
        raise field_error("kind", _("Choose “related” or “parent”."))
    with transaction.atomic():
        source, target = _lock_both(source, target)
        _check_pair(source=source, target=target, actor=actor)
        if _existing(source, target).exists():
            raise Conflict(_("These tickets are already linked."), code="already_linked")
        if (
            kind == LinkKind.PARENT
            and TicketLink.objects.filter(target=target, kind=LinkKind.PARENT).exists()
        ):
            raise Conflict(_("This ticket already has a parent."), code="has_parent")
        link = TicketLink.objects.create(source=source, target=target, kind=kind, created_by=actor)
        events.linked(ticket=source, link=link, actor=actor)
        events.linked(ticket=target, link=link, actor=actor)
    return link


def ticket_unlink(*, ticket: Ticket, other: Ticket, actor: User) -> None:
    with transaction.atomic():
        ticket, other = _lock_both(ticket, other)
        _check_pair(source=ticket, target=other, actor=actor)
        link = _existing(ticket, other).exclude(kind=LinkKind.DUPLICATE).first()
        if link is None:
            raise Conflict(_("These tickets are not linked."), code="not_linked")
        link.delete()
        events.linked(ticket=ticket, link=link, actor=actor, removed=True)
        events.linked(ticket=other, link=link, actor=actor, removed=True)


def ticket_merge(*, duplicate: Ticket, original: Ticket, actor: User) -> Ticket:
    """Merge `duplicate` into `original`; returns the original.

    Replies, files and watchers move to the original; the duplicate's requester and
    watchers are told (their one mail about it) and follow the original; the
    duplicate's clocks stop without a breach and it is closed as a duplicate. Both
    tickets record the merge.
    Tickets of different organisations are never merged.
    """
    with transaction.atomic():
        duplicate, original = _lock_both(duplicate, original)
        if duplicate.pk == original.pk:
            raise field_error("original", _("A ticket cannot be merged into itself."))
        if not (can_work(ticket=duplicate, user=actor) and can_work(ticket=original, user=actor)):
            raise NotAllowed(_("Only staff who can work both tickets can merge them."))
        if duplicate.organisation_id != original.organisation_id:
            raise field_error("original", _("Tickets of different organisations cannot be merged."))
        if not duplicate.is_active:
            raise Conflict(_("Only an active ticket can be merged away."), code="ticket_inactive")
        if original.status == Status.CLOSED:
            raise Conflict(_("The original ticket is closed."), code="ticket_closed")
        if TicketLink.objects.filter(source=original, kind=LinkKind.DUPLICATE).exists():
            raise Conflict(_("The original was itself merged away."), code="merged")
        replies = Reply.objects.filter(ticket=duplicate).update(ticket=original)
        files = Attachment.objects.filter(ticket=duplicate).update(ticket=original)
        watchers_move(source=duplicate, target=original, actor=actor, extra=[duplicate.requester])
        _existing(duplicate, original).delete()
        TicketLink.objects.create(
            source=duplicate, target=original, kind=LinkKind.DUPLICATE, created_by=actor
        )
        events.merged_into(duplicate=duplicate, original=original, actor=actor)
        events.merged_from(
            original=original, duplicate=duplicate, actor=actor, replies=replies, attachments=files
        )
        clocks_stop(tickets=[duplicate], reason="merged")
        # The merge notice is the one mail its requester and watchers get about the closing.
        ticket_change_status(ticket=duplicate, actor=actor, status=Status.CLOSED, notify=False)
        _tell_requester(duplicate=duplicate, original=original, actor=actor)
    return original


def _tell_requester(*, duplicate: Ticket, original: Ticket, actor: User) -> None:
    """The requester and the watchers, each in their own language."""
    watchers = [w.user for w in Watcher.objects.filter(ticket=duplicate).select_related("user")]
    notifications_create(
        recipients=[duplicate.requester, *watchers],
        kind=NotificationKind.STATUS,
        ticket=duplicate,
        build=lambda reader: _merged_text(duplicate=duplicate, original=original),
        cause_key=f"merged:{duplicate.pk}:{original.pk}",
        exclude=actor,
    )


def _merged_text(*, duplicate: Ticket, original: Ticket) -> tuple[str, str]:
    """Rendered in the reader's language (active while messages_for_readers builds)."""
    subject = _("[%(ref)s] Merged into %(original)s") % {
        "ref": duplicate.reference,
        "original": original.reference,
    }
    body = _(
        "Your request %(ref)s is the same as %(original)s “%(subject)s”; we continue there "
        "and have copied you in, so you can follow it:\n%(url)s"
    ) % {
        "ref": duplicate.reference,
        "original": original.reference,
        "subject": original.subject,
        "url": ticket_url(original),
    }
    return subject, body
