"""Subjects and bodies of notifications, from public facts only.

Nothing here reads internal notes or hand-off notes: staff follow the link to
read those on the ticket page, where access is checked.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.timezone import get_current_timezone
from django.utils.translation import get_language, gettext, ngettext

from accounts.models import Tier
from common.when import zoned_text
from tickets.models import Priority, Status

from .services.notify import site_url, ticket_url

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User
    from sla.models import Clock
    from tickets.models import Reply, Ticket

    from .models import Notification

_texts: ContextVar[dict[tuple, str] | None] = ContextVar("escalation_texts", default=None)


# The active language while one message renders (asked once, not per text: cheaper).
_rendering: ContextVar[str | None] = ContextVar("escalation_rendering", default=None)


def _once(key: tuple, make: Callable[[], str]) -> str:
    """`make()`, remembered for the batch (`texts_once`) under `key` and the active language."""
    texts = _texts.get()
    if texts is None:
        return make()
    key = (_rendering.get() or get_language(), *key)
    text = texts.get(key)
    if text is None:
        text = texts[key] = make()
    return text


def _(message: str) -> str:
    return _once((message,), lambda: gettext(message))


def _label(choices, value: str) -> str:
    def label() -> str:
        try:
            return str(choices(value).label)
        except ValueError:
            return value

    return _once((choices, value), label)


def _when(instant: datetime) -> str:
    """An absolute time in the reader's zone (active while rendering), with the zone named:
    the same words as the pages' `when` filter. The text names the minute, so one rendering
    serves every instant of that minute in a batch (a drain's clocks share a few)."""
    minute = instant.replace(second=0, microsecond=0)
    return _once(("when", get_current_timezone(), minute), lambda: zoned_text(minute))


def _clock_kind(clock: Clock) -> str:
    from sla.models import ClockKind

    kind = _label(ClockKind, clock.kind)
    if clock.tier:
        return _("%(kind)s (%(tier)s)") % {"kind": kind, "tier": _label(Tier, clock.tier)}
    return kind


@contextlib.contextmanager
def texts_once() -> Iterator[None]:
    """Translate each text once per language for a whole batch (gettext, labels and dates
    were most of a message's cost); recipients' languages and zones are part of the keys."""
    token = _texts.set({})
    try:
        yield
    finally:
        _texts.reset(token)


def _facts(ticket: Ticket, *, staff: bool = True) -> str:
    if not staff:  # customers never see tier jargon
        return _("Ticket: %(ref)s %(subject)s\n%(url)s") % {
            "ref": ticket.reference,
            "subject": ticket.subject,
            "url": ticket_url(ticket),
        }
    return _("Ticket: %(ref)s %(subject)s\nTier: %(tier)s  Priority: %(priority)s\n%(url)s") % {
        "ref": ticket.reference,
        "subject": ticket.subject,
        "tier": _label(Tier, ticket.tier),
        "priority": _label(Priority, ticket.priority),
        "url": ticket_url(ticket),
    }


def clock_message(*, ticket: Ticket, clock: Clock, breach: bool, moved_from: str) -> tuple:
    token = _rendering.set(get_language())
    try:
        return _clock_message(ticket=ticket, clock=clock, breach=breach, moved_from=moved_from)
    finally:
        _rendering.reset(token)


def _clock_message(*, ticket: Ticket, clock: Clock, breach: bool, moved_from: str) -> tuple:
    from sla.models import ClockKind

    if clock.kind == ClockKind.NEXT_RESPONSE:
        return _answer_owed_message(ticket=ticket, clock=clock, breach=breach)
    what = _("breached") if breach else _("is close to its deadline")
    kind = _clock_kind(clock)
    subject = _("[%(ref)s] SLA: %(kind)s %(what)s") % {
        "ref": ticket.reference,
        "kind": kind,
        "what": what,
    }
    lines = [
        _("The target “%(kind)s” %(what)s (due %(due)s).")
        % {"kind": kind, "what": what, "due": _when(clock.due_at)}
    ]
    if moved_from and moved_from != ticket.tier:
        lines.append(
            _("The ticket was escalated from %(a)s to %(b)s.")
            % {"a": _label(Tier, moved_from), "b": _label(Tier, ticket.tier)}
        )
    return subject, "\n".join([*lines, "", _facts(ticket)])


def _answer_owed_message(*, ticket: Ticket, clock: Clock, breach: bool) -> tuple[str, str]:
    """A customer's message waits for an answer (the next-response clock)."""
    facts = {
        "ref": ticket.reference,
        "subject": ticket.subject,
        "since": _when(clock.started_at),
        "due": _when(clock.due_at),
    }
    if breach:
        subject = _("[%(ref)s] Answer overdue: %(subject)s") % facts
        line = _(
            "The customer has been waiting for an answer since %(since)s; "
            "it was due %(due)s. Reply to the customer on the ticket."
        )
    else:
        subject = _("[%(ref)s] Answer due soon: %(subject)s") % facts
        line = _(
            "The customer has been waiting for an answer since %(since)s; "
            "it is due %(due)s. Reply to the customer on the ticket."
        )
    return subject, "\n".join([line % facts, "", _facts(ticket)])


def reply_message(*, ticket: Ticket, reply: Reply, staff: bool = True) -> tuple[str, str]:
    # Only ever called for public replies (the receiver checks reply.internal).
    subject = _("[%(ref)s] New reply: %(subject)s") % {
        "ref": ticket.reference,
        "subject": ticket.subject,
    }
    return subject, f"{reply.body}\n\n{_facts(ticket, staff=staff)}"


def status_message(
    *, ticket: Ticket, before: str, after: str, staff: bool = True
) -> tuple[str, str]:
    subject = _("[%(ref)s] Status: %(after)s") % {
        "ref": ticket.reference,
        "after": _label(Status, after),
    }
    body = _("The status changed from %(before)s to %(after)s.") % {
        "before": _label(Status, before),
        "after": _label(Status, after),
    }
    return subject, f"{body}\n\n{_facts(ticket, staff=staff)}"


def reply_for(reader: User, *, ticket: Ticket, reply: Reply) -> tuple[str, str]:
    """`reply_message` as `reader` reads it (a `build` for messages_for_readers)."""
    return reply_message(ticket=ticket, reply=reply, staff=reader.is_support_staff)


def status_for(reader: User, *, ticket: Ticket, before: str, after: str) -> tuple[str, str]:
    """`status_message` as `reader` reads it (a `build` for messages_for_readers)."""
    return status_message(ticket=ticket, before=before, after=after, staff=reader.is_support_staff)


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
    ) % {"tier": _label(Tier, ticket.tier)}
    return subject, f"{body}\n\n{_facts(ticket)}"


def digest_message(*, rows: Sequence[Notification]) -> tuple[str, str]:
    """One e-mail for many notices (oldest first), grouped by kind, each with its ticket,
    time and link; rendered in the reader's language and zone (active while rendering).
    Each row's own subject was already written in the reader's language."""
    from .models import NotificationKind

    count = len(rows)
    groups: dict[str, list[Notification]] = {}
    for row in rows:
        groups.setdefault(row.kind, []).append(row)
    summary = ", ".join(
        f"{_label(NotificationKind, kind)} ({len(group)})" for kind, group in groups.items()
    )
    subject = ngettext(
        "[Tierdesk] %(count)d notice: %(summary)s",
        "[Tierdesk] %(count)d notices: %(summary)s",
        count,
    ) % {"count": count, "summary": summary}
    lines = [
        ngettext(
            "%(count)d notice since %(since)s:",
            "%(count)d notices since %(since)s:",
            count,
        )
        % {"count": count, "since": _when(rows[0].created_at)}
    ]
    for kind, group in groups.items():
        lines += ["", f"**{_label(NotificationKind, kind)}** ({len(group)})", ""]
        for row in group:
            lines.append(f"- {_digest_line(row)}")
    lines += [
        "",
        _("All your notices: %(url)s") % {"url": site_url("/notifications/")},
        _("Choose what you are told and how: %(url)s") % {"url": site_url("/account/profile/")},
    ]
    return subject, "\n".join(lines)


def _digest_line(row: Notification) -> str:
    ticket = row.ticket
    what = row.subject
    local = timezone.localtime(row.created_at)
    when = f"{local:%H:%M} {local.tzname()}"
    if ticket is None:
        return f"{what} · {when}"
    prefix = f"[{ticket.reference}] "
    if what.startswith(prefix):
        what = what[len(prefix) :]
    return f"{ticket.reference} “{ticket.subject}”: {what} · {when}  \n  {ticket_url(ticket)}"
