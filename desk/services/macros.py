"""Canned replies: shared ones managed by managers, personal ones per technician.

A macro's text is Markdown with placeholders in braces, filled from the ticket:
{requester_name} {reference} {subject} {technician_name} {due}. Unknown names stay
as written. The text is taken in the requester's language where a translation
exists (else the technician's, else the macro's own text).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.errors import NotAllowed, NotFound, field_error
from common.when import reader_zone, zoned_text
from tickets.models import Priority, Reply, Status, Ticket
from tickets.permissions import can_work
from tickets.services import ticket_change_priority, ticket_change_status, ticket_reply
from tickets.states import allowed_targets

from ..models import Macro, MacroTranslation

if TYPE_CHECKING:
    from accounts.models import User

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS = ("requester_name", "reference", "subject", "technician_name", "due")
MAX_NAME = 100
MAX_BODY = 20_000


def _person(user: User | None) -> str:
    if user is None:
        return ""
    return user.first_name or user.get_full_name() or user.username


def macro_values(*, ticket: Ticket, actor: User) -> dict[str, str]:
    # The next answer the customer is owed (first or next response), else the resolution.
    due = ticket.answer_due_at or ticket.resolution_due_at
    with timezone.override(reader_zone(ticket.requester)):  # the text is for the requester to read
        due_text = zoned_text(due)
    return {
        "requester_name": _person(ticket.requester),
        "reference": ticket.reference,
        "subject": ticket.subject,
        "technician_name": _person(actor),
        "due": due_text,
    }


def macro_text(*, macro: Macro, ticket: Ticket) -> str:
    """The macro's body in the requester's language if translated, else the default."""
    languages = [ticket.requester.language, (get_language() or "")[:2]]
    translations = {t.language: t.body for t in macro.translations.all()}
    for language in languages:
        if language and language in translations:
            return translations[language]
    return macro.body


def macro_render(*, macro: Macro, ticket: Ticket, actor: User) -> str:
    values = macro_values(ticket=ticket, actor=actor)
    return PLACEHOLDER.sub(
        lambda m: values.get(m.group(1), m.group(0)), macro_text(macro=macro, ticket=ticket)
    )


def _clean(*, name: str, body: str, set_status: str, set_priority: str) -> tuple[str, str]:
    name = " ".join((name or "").split())
    body = (body or "").strip()
    if not name or len(name) > MAX_NAME or "\x00" in name:
        raise field_error("name", _("A name has 1 to %(n)d characters.") % {"n": MAX_NAME})
    if not body or len(body) > MAX_BODY or "\x00" in body:
        raise field_error("body", _("A text has 1 to %(n)d characters.") % {"n": MAX_BODY})
    if set_status and set_status not in Status.values:
        raise field_error("set_status", _("Unknown status “%(s)s”.") % {"s": set_status})
    if set_priority and set_priority not in Priority.values:
        raise field_error("set_priority", _("Unknown priority “%(p)s”.") % {"p": set_priority})
    return name, body


def macro_save(
    *,
    actor: User,
    name: str,
    body: str,
    shared: bool = False,
    internal: bool = False,
    set_status: str = "",
    set_priority: str = "",
    translations: dict[str, str] | None = None,
    macro: Macro | None = None,
) -> Macro:
    """Create or change a macro: shared ones by managers, personal ones by their owner."""
    if not actor.is_support_staff:
        raise NotAllowed(_("Only staff have canned replies."))
    if shared and not actor.is_manager:
        raise NotAllowed(_("Only managers manage shared canned replies."))
    if macro is not None and not macro_may_edit(macro=macro, user=actor):
        raise NotAllowed(_("You cannot change this canned reply."))
    name, body = _clean(name=name, body=body, set_status=set_status, set_priority=set_priority)
    owner = None if shared else actor
    clash = Macro.objects.filter(name=name, owner=owner)
    if macro is not None:
        clash = clash.exclude(pk=macro.pk)
    if clash.exists():
        raise field_error("name", _("A canned reply with this name exists already."))
    with transaction.atomic():
        macro = macro or Macro()
        macro.name, macro.body, macro.owner = name, body, owner
        macro.internal, macro.set_status, macro.set_priority = internal, set_status, set_priority
        macro.save()
        for language, text in (translations or {}).items():
            text = (text or "").strip()
            if language not in ("en", "de"):
                raise field_error("translations", _("Unknown language %(l)s.") % {"l": language})
            if text:
                MacroTranslation.objects.update_or_create(
                    macro=macro, language=language, defaults={"body": text[:MAX_BODY]}
                )
            else:
                MacroTranslation.objects.filter(macro=macro, language=language).delete()
    return macro


def macro_may_use(*, macro: Macro, user: User) -> bool:
    """Shared macros serve all staff; personal ones only their owner."""
    return user.is_support_staff and (macro.is_shared or macro.owner_id == user.pk)


def macro_may_edit(*, macro: Macro, user: User) -> bool:
    return user.is_manager if macro.is_shared else macro.owner_id == user.pk


def macro_delete(*, macro: Macro, actor: User) -> None:
    if not macro_may_edit(macro=macro, user=actor):
        raise NotAllowed(_("You cannot delete this canned reply."))
    macro.delete()


def macro_apply(*, macro: Macro, ticket: Ticket, actor: User, body: str | None = None) -> Reply:
    """Send the macro as a reply (or note) and apply its status and priority.

    `body` is the text as edited in the reply box; without it the macro is rendered.
    Everything goes through the ticket services in one transaction: if the status
    change is refused, the reply is not sent either.
    """
    if not macro_may_use(macro=macro, user=actor):
        raise NotFound(_("No such canned reply."))
    if not can_work(ticket=ticket, user=actor):
        raise NotAllowed(_("Only staff who can work the ticket can use canned replies."))
    text = (
        body
        if body is not None and body.strip()
        else macro_render(macro=macro, ticket=ticket, actor=actor)
    )
    with transaction.atomic():
        reply = ticket_reply(ticket=ticket, author=actor, body=text, internal=macro.internal)
        if macro.set_priority:
            ticket = ticket_change_priority(ticket=ticket, actor=actor, priority=macro.set_priority)
        if macro.set_status:
            ticket.refresh_from_db()
            if ticket.status != macro.set_status:
                if macro.set_status not in allowed_targets(ticket=ticket, user=actor):
                    raise field_error(
                        "set_status",
                        _("This canned reply cannot set the status to “%(s)s” now.")
                        % {"s": Status(macro.set_status).label},
                    )
                ticket_change_status(ticket=ticket, actor=actor, status=macro.set_status)
    return reply
