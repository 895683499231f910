"""The ticket history as people read it: one sentence per action, in the reader's language.

Events keep codes (statuses, tiers, triggers, clock kinds, user ids); the words are made
here at display time, so a German reader sees German whoever caused the change. One
action is one entry: the tier move written beside a manual escalation is left out (the
escalation entry says it), and names come from one read of the people involved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from accounts.models import Tier
from escalation.models import NotificationKind, Trigger
from sla.models import ClockKind
from tickets.models import EventKind, Priority, Status, TicketEvent

SLA_REASON = re.compile(r"^(?P<trigger>[a-z_]+) \(SLA\)$")
SAME_ACTION = timedelta(seconds=5)
MANUAL_MOVES = (EventKind.ESCALATED, EventKind.DEESCALATED)


@dataclass(frozen=True)
class Entry:
    event: TicketEvent
    text: str


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _tier(value: str) -> str:
    return _label(Tier, value or "")


def _name(people: dict[int, Any], ref: dict | None) -> str:
    if not ref:
        return ""
    user = people.get(ref.get("id")) if isinstance(ref, dict) else None
    return str(user) if user is not None else str(ref.get("username", ""))


def _trigger(code: str) -> str:
    return _label(Trigger, code)


def _clock(after: dict) -> str:
    kind, tier = after.get("kind") or "", after.get("tier") or ""
    if kind == ClockKind.RESPONSE and tier:
        return _("response at %(tier)s") % {"tier": _tier(tier)}
    # Whole phrases, not lowered labels: German nouns keep their capital.
    if kind == ClockKind.NEXT_RESPONSE:
        return _("next response to the customer")
    if kind == ClockKind.RESOLUTION:
        return _("resolution")
    return _label(ClockKind, kind).lower() if kind else ""


def _reason(reason: str) -> str:
    match = SLA_REASON.match(reason or "")
    if match:
        return _("SLA: %(trigger)s") % {"trigger": _trigger(match["trigger"])}
    # Reasons were written as (English) catalogue texts: shown in the reader's language.
    return _(reason) if reason else ""


def _actions(actions: Iterable[str], people: dict[int, Any]) -> list[str]:
    words = []
    for action in actions or []:
        name, _sep, value = str(action).partition(":")
        if name == "priority":
            words.append(_("priority raised to %(p)s") % {"p": _label(Priority, value)})
        elif name == "assigned" and value.isdigit():
            user = people.get(int(value))
            words.append(_("assigned to %(who)s") % {"who": user or value})
        elif name == "notified":
            words.append(_("people notified"))
    return words


def describe(event: TicketEvent, *, notes: dict | None = None, people: dict | None = None) -> str:
    """One translated sentence for one history entry."""
    notes, people = notes or {}, people or {}
    before, after = event.before or {}, event.after or {}
    kind = event.kind
    if kind == EventKind.STATUS:
        return _("Status: %(before)s → %(after)s") % {
            "before": _label(Status, before.get("status", "")),
            "after": _label(Status, after.get("status", "")),
        }
    if kind == EventKind.TIER:
        text = _("Moved from %(before)s to %(after)s") % {
            "before": _tier(before.get("tier", "")),
            "after": _tier(after.get("tier", "")),
        }
        reason = _reason(after.get("reason", ""))
        return f"{text} ({reason})" if reason else text
    if kind in MANUAL_MOVES and after.get("tier"):
        same = before.get("tier") == after.get("tier")
        trigger = after.get("trigger")
        if same:
            # A rule that only tells people (or raises the priority): nothing moved.
            text = _("SLA rule applied (%(trigger)s)") % {"trigger": _trigger(trigger or "")}
        elif kind == EventKind.DEESCALATED:
            text = _("Sent back from %(before)s to %(after)s") % {
                "before": _tier(before.get("tier", "")),
                "after": _tier(after.get("tier", "")),
            }
        else:
            text = _("Escalated from %(before)s to %(after)s") % {
                "before": _tier(before.get("tier", "")),
                "after": _tier(after.get("tier", "")),
            }
            if trigger:
                text = f"{text} ({_('SLA: %(trigger)s') % {'trigger': _trigger(trigger)}})"
        done = _actions(after.get("actions", []), people)
        if done:
            text = f"{text}: {', '.join(done)}"
        note = notes.get(after.get("escalation"))
        return f"{text}: “{note}”" if note else text
    if kind == EventKind.PRIORITY:
        return _("Priority: %(before)s → %(after)s") % {
            "before": _label(Priority, before.get("priority", "")),
            "after": _label(Priority, after.get("priority", "")),
        }
    if kind == EventKind.ASSIGNEE:
        now, was = _name(people, after.get("assignee")), _name(people, before.get("assignee"))
        if now:
            return _("Assigned to %(who)s") % {"who": now}
        return _("No longer assigned to %(who)s") % {"who": was} if was else _("Unassigned")
    if kind == EventKind.ATTACHMENT:
        return _("File added: %(name)s") % {"name": after.get("filename", "")}
    if kind == EventKind.RATED:
        return _("Rated %(n)s of 5") % {"n": after.get("rating", "")}
    if kind == EventKind.FIXED_IN_RELEASE:
        return _("Fixed in release %(version)s") % {"version": after.get("version", "")}
    if kind == EventKind.ACKNOWLEDGED and after.get("message"):
        return _("Acknowledged with a message to the customer")
    if kind == EventKind.NOTIFICATION:
        who = people.get(after.get("recipient"))
        what = _label(NotificationKind, after.get("kind", ""))
        if who is None:
            return _("Notification sent: %(what)s") % {"what": what}
        return _("Notification sent to %(who)s: %(what)s") % {"who": who, "what": what}
    if kind.startswith("clock_"):
        label = _label(EventKind, kind)
        clock = _clock(after or before)
        return f"{label}: {clock}" if clock else label
    return _label(EventKind, kind)


def _people_ids(events: Sequence[TicketEvent]) -> set[int]:
    ids: set[int] = set()
    for event in events:
        before, after = event.before or {}, event.after or {}
        for ref in (before.get("assignee"), after.get("assignee")):
            if isinstance(ref, dict) and isinstance(ref.get("id"), int):
                ids.add(ref["id"])
        if event.kind == EventKind.NOTIFICATION and isinstance(after.get("recipient"), int):
            ids.add(after["recipient"])
        for action in after.get("actions", []) if event.kind in MANUAL_MOVES else []:
            name, _sep, value = str(action).partition(":")
            if name == "assigned" and value.isdigit():
                ids.add(int(value))
    return ids


def _said_by_an_escalation(events: Sequence[TicketEvent]) -> set[int]:
    """Tier moves a manual escalation entry already tells (same person, same tiers)."""
    manual = [e for e in events if e.kind in MANUAL_MOVES and e.actor_id is not None and e.after]
    hidden: set[int] = set()
    for event in events:
        if event.kind != EventKind.TIER:
            continue
        for move in manual:
            if (
                move.actor_id == event.actor_id
                and (move.before or {}).get("tier") == (event.before or {}).get("tier")
                and move.after.get("tier") == (event.after or {}).get("tier")
                and abs(move.created_at - event.created_at) <= SAME_ACTION
            ):
                hidden.add(event.pk)
                break
    return hidden


def history_entries(*, events: Iterable[TicketEvent], notes: dict | None = None) -> list[Entry]:
    """The history to show staff: one entry per action, with names (one query for people)."""
    events = list(events)
    ids = _people_ids(events)
    people = get_user_model().objects.in_bulk(ids) if ids else {}
    hidden = _said_by_an_escalation(events)
    return [
        Entry(event, describe(event, notes=notes, people=people))
        for event in events
        if event.pk not in hidden
    ]
