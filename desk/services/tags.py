"""Tags: a staff-managed list; staff put tags on tickets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from common.errors import NotAllowed, field_error
from tickets.models import Tag, Ticket
from tickets.permissions import can_work

from .. import events

if TYPE_CHECKING:
    from accounts.models import User

MAX_TAGS = 20


def tag_create(*, actor: User, name: str) -> Tag:
    """Add a tag to the list (managers); an existing name (any case) is returned as is."""
    if not actor.is_manager:
        raise NotAllowed(_("Only managers edit the list of tags."))
    name = " ".join((name or "").split())
    if not name or len(name) > 50 or "\x00" in name:
        raise field_error("name", _("A tag name has 1 to 50 characters."))
    existing = Tag.objects.annotate(low=Lower("name")).filter(low=name.lower()).first()
    return existing or Tag.objects.create(name=name)


def ticket_set_tags(*, ticket: Ticket, actor: User, names: Sequence[str]) -> list[str]:
    """Replace the ticket's tags with `names` from the list; returns the tags now on it."""
    wanted = {" ".join(str(n).split()).lower() for n in names if str(n).strip()}
    if len(wanted) > MAX_TAGS:
        raise field_error("tags", _("At most %(n)d tags.") % {"n": MAX_TAGS})
    tags = list(Tag.objects.annotate(low=Lower("name")).filter(low__in=wanted))
    unknown = wanted - {tag.name.lower() for tag in tags}
    if unknown:
        raise field_error(
            "tags", _("Unknown tag: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if not can_work(ticket=ticket, user=actor):
            raise NotAllowed(_("Only staff can tag tickets."))
        before = sorted(ticket.tags.values_list("name", flat=True))
        after = sorted(tag.name for tag in tags)
        if before != after:
            ticket.tags.set(tags)
            events.tags_changed(ticket=ticket, actor=actor, before=before, after=after)
    return after
