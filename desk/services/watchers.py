"""Watchers and CC: customers copy in colleagues, staff follow tickets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from common.errors import NotAllowed, field_error
from tickets.models import Ticket, Watcher
from tickets.permissions import can_work, is_customer_party

from .. import events

if TYPE_CHECKING:
    from accounts.models import User


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def _may_manage_customers(*, ticket: Ticket, actor: User) -> bool:
    """Staff who work the ticket, the customer party, or a customer already watching."""
    if can_work(ticket=ticket, user=actor) or is_customer_party(ticket=ticket, user=actor):
        return True
    return bool(
        actor.is_customer
        and actor.organisation_id == ticket.organisation_id
        and Watcher.objects.filter(ticket=ticket, user=actor).exists()
    )


def _refusal(*, ticket: Ticket, actor: User, user: User) -> str | None:
    if not user.is_active:
        return _("This account is inactive.")
    if user.pk == ticket.requester_id:
        return _("The requester is informed anyway.")
    if user.is_support_staff:
        if user.pk != actor.pk and not actor.is_support_staff:
            return _("Only colleagues of the ticket's organisation can be copied in.")
        if not Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists():
            return _("%(user)s cannot see this ticket.") % {"user": user}
        return None
    if not ticket.organisation_id or user.organisation_id != ticket.organisation_id:
        return _("Only colleagues of the ticket's organisation can be copied in.")
    if not _may_manage_customers(ticket=ticket, actor=actor):
        return _("You cannot copy anyone in on this ticket.")
    return None


def watcher_add(*, ticket: Ticket, actor: User, user: User) -> Watcher:
    """Copy `user` in on `ticket` (or follow it, when `user` is the actor).

    Customers add colleagues of the ticket's organisation; staff follow tickets
    they can see and may copy in the organisation's people. Adding twice is harmless.
    """
    with transaction.atomic():
        ticket = _locked(ticket)
        refusal = _refusal(ticket=ticket, actor=actor, user=user)
        if refusal:
            raise field_error("user", refusal)
        existing = Watcher.objects.filter(ticket=ticket, user=user).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                watcher = Watcher.objects.create(ticket=ticket, user=user, added_by=actor)
        except IntegrityError:  # added by a concurrent request meanwhile
            return Watcher.objects.get(ticket=ticket, user=user)
        events.watcher_changed(ticket=ticket, watcher=user, actor=actor, added=True)
    return watcher


def watcher_remove(*, ticket: Ticket, actor: User, user: User) -> bool:
    """Stop watching (anyone for themselves; staff and the customer party for customers)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        own = user.pk == actor.pk
        if not own:
            allowed = can_work(ticket=ticket, user=actor) or (
                not user.is_support_staff and _may_manage_customers(ticket=ticket, actor=actor)
            )
            if not allowed:
                raise NotAllowed(_("You cannot remove this watcher."))
        deleted, _rows = Watcher.objects.filter(ticket=ticket, user=user).delete()
        if deleted:
            events.watcher_changed(ticket=ticket, watcher=user, actor=actor, added=False)
    return bool(deleted)


def watchers_move(*, source: Ticket, target: Ticket, actor: User, extra: list[User]) -> int:
    """Move the watchers of `source` (and `extra` people) to `target`; inside a merge."""
    people = {
        w.user_id: w.user for w in Watcher.objects.filter(ticket=source).select_related("user")
    }
    people.update({user.pk: user for user in extra})
    people.pop(target.requester_id, None)
    already = set(Watcher.objects.filter(ticket=target).values_list("user_id", flat=True))
    new = [user for pk, user in people.items() if pk not in already and user.is_active]
    Watcher.objects.bulk_create(
        [Watcher(ticket=target, user=user, added_by=actor) for user in new], ignore_conflicts=True
    )
    for user in new:
        events.watcher_changed(ticket=target, watcher=user, actor=actor, added=True)
    return len(new)
