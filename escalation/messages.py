"""Subjects and bodies of notifications, from public facts only.

Nothing here reads internal notes or hand-off notes: staff follow the link to
read those on the ticket page, where access is checked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from .services.notify import ticket_url

if TYPE_CHECKING:
    from sla.models import Clock
    from tickets.models import Reply, Ticket

_texts: ContextVar[dict[str, str] | None] = ContextVar("escalation_texts", default=None)


def _(message: str) -> str:
    texts = _texts.get()
    if texts is None:
        return gettext(message)
    text = texts.get(message)
    if text is None:
        text = texts[message] = gettext(message)
    return text


@contextlib.contextmanager
def texts_once() -> Iterator[None]:
    """Translate each text once for a whole batch (gettext was most of a message's cost);
    the batch runs in one active language throughout, so the texts are the same."""
    token = _texts.set({})
    try:
        yield
    finally:
        _texts.reset(token)


def _facts(ticket: Ticket) -> str:
    return _("Ticket: %(ref)s %(subject)s\nTier: %(tier)s  Priority: %(priority)s\n%(url)s") % {
        "ref": ticket.reference,
        "subject": ticket.subject,
        "tier": ticket.tier,
        "priority": ticket.priority,
        "url": ticket_url(ticket),
    }


def clock_message(*, ticket: Ticket, clock: Clock, breach: bool, moved_from: str) -> tuple:
    what = _("breached") if breach else _("is close to its deadline")
    subject = _("[%(ref)s] SLA %(kind)s %(tier)s %(what)s") % {
        "ref": ticket.reference,
        "kind": clock.kind,
        "tier": clock.tier or "",
        "what": what,
    }
    lines = [
        _("The %(kind)s clock %(what)s (due %(due)s).")
        % {"kind": clock.kind, "what": what, "due": clock.due_at.strftime("%Y-%m-%d %H:%M UTC")}
    ]
    if moved_from and moved_from != ticket.tier:
        lines.append(
            _("The ticket was escalated from %(a)s to %(b)s.") % {"a": moved_from, "b": ticket.tier}
        )
    return subject, "\n".join([*lines, "", _facts(ticket)])


def reply_message(*, ticket: Ticket, reply: Reply) -> tuple[str, str]:
    # Only ever called for public replies (the receiver checks reply.internal).
    subject = _("[%(ref)s] New reply: %(subject)s") % {
        "ref": ticket.reference,
        "subject": ticket.subject,
    }
    return subject, f"{reply.body}\n\n{_facts(ticket)}"


def status_message(*, ticket: Ticket, before: str, after: str) -> tuple[str, str]:
    subject = _("[%(ref)s] Status: %(after)s") % {"ref": ticket.reference, "after": after}
    body = _("The status changed from %(before)s to %(after)s.") % {
        "before": before,
        "after": after,
    }
    return subject, f"{body}\n\n{_facts(ticket)}"


def assigned_message(*, ticket: Ticket) -> tuple[str, str]:
    subject = _("[%(ref)s] Assigned to you: %(subject)s") % {
        "ref": ticket.reference,
        "subject": ticket.subject,
    }
    return subject, _facts(ticket)


def queue_message(*, ticket: Ticket, escalated: bool) -> tuple[str, str]:
    head = _("Escalated to your queue") if escalated else _("New in your queue")
    subject = f"[{ticket.reference}] {head}: {ticket.subject}"
    body = _facts(ticket)
    if escalated:
        body = _("Read the hand-off note at the top of the ticket.") + "\n\n" + body
    return subject, body


def customer_escalation_body(*, ticket: Ticket) -> str:
    return (
        _("Your request has been passed to a specialist team, who will be in touch.")
        + f"\n\n{ticket.reference} {ticket.subject}\n{ticket_url(ticket)}"
    )


def released_message(*, ticket: Ticket) -> tuple[str, str]:
    subject = _("[%(ref)s] No longer assigned to you: %(subject)s") % {
        "ref": ticket.reference,
        "subject": ticket.subject,
    }
    body = _(
        "The ticket is now with %(tier)s and no longer assigned to you. "
        "You can still read it and its history."
    ) % {"tier": ticket.get_tier_display()}
    return subject, f"{body}\n\n{_facts(ticket)}"
