"""Filing a ticket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Tier
from common.errors import NotAllowed, field_error

from .. import events, signals
from ..models import Category, Priority, Status, Ticket
from ..priority import CUSTOMER_PRIORITIES
from .inputs import (
    MAX_SUBJECT,
    MAX_TEXT,
    FileCleanup,
    check_files,
    clean_line,
    clean_text,
    store_files,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User


def ticket_create(
    *,
    requester: User,
    subject: str,
    description: str,
    actor: User | None = None,
    category_id: int | None = None,
    priority: str | None = None,
    files: Sequence[UploadedFile] = (),
) -> Ticket:
    """File a ticket for `requester`, by the requester or by staff on their behalf; the
    category by id (looked up here: an unknown one is a field error, nothing filed)."""
    actor = actor or requester
    if not (actor.pk == requester.pk or actor.is_support_staff):
        raise NotAllowed(_("Only staff can file a ticket on someone else's behalf."))
    if not requester.is_active:
        raise field_error("requester", _("The requester's account is inactive."))
    subject = clean_line(subject, field="subject", max_length=MAX_SUBJECT)
    description = clean_text(description, field="description", max_length=MAX_TEXT)
    priority = priority or Priority.P3
    if priority not in Priority.values:
        raise field_error("priority", _("Unknown priority %(p)s.") % {"p": priority})
    if not actor.is_support_staff and priority not in CUSTOMER_PRIORITIES:
        raise field_error("priority", _("Customers can choose P2, P3 or P4; staff triage P1."))
    checked = check_files(files)
    category = _category(category_id)
    tier, routing = _initial_tier(requester)
    with FileCleanup(), transaction.atomic():
        ticket = Ticket.objects.create(
            subject=subject,
            description=description,
            requester=requester,
            organisation_id=requester.organisation_id,
            category=category,
            priority=priority,
            tier=tier,
            status=Status.NEW,
            is_vip=requester.is_vip,
        )
        recorded = events.insert([events.created(ticket=ticket, actor=actor, routing=routing)])
        store_files(ticket=ticket, uploader=actor, checked=checked, reply=None)
        signals.ticket_created.send(sender=Ticket, ticket=ticket, actor=actor)
        events.announce(recorded)
    return ticket


def _category(category_id: int | None) -> Category | None:
    if category_id is None:
        return None
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise field_error("category", _("No such category."))
    return category


def _initial_tier(requester: User) -> tuple[str, str]:
    """The tier a new ticket starts in, and why if not L1: the highest tier a router
    (`signals.ticket_route` receivers, e.g. the SLA engine's VIP routing) answers."""
    tier, reason = Tier.L1.value, ""
    for _receiver, answer in signals.ticket_route.send(sender=Ticket, requester=requester):
        if answer is not None and Tier.rank(answer[0]) > Tier.rank(tier):
            tier, reason = answer[0], answer[1]
    return tier, reason
