"""Ticket-page panels of the technician tools, each a partial included with one tag.

Each tag reads through the desk selectors for the ticket on the page (a fixed
number of queries per panel, pinned in tests/web/test_desk_pages.py).
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from desk import selectors
from tickets.models import LinkKind, Tag

register = template.Library()


def _base(context) -> dict:
    return {
        "ticket": context["ticket"],
        "user": context["user"],
        "staff": context.get("staff"),
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }


@register.filter
def minutes_label(minutes: int) -> str:
    minutes = int(minutes or 0)
    if minutes % (60 * 24) == 0 and minutes >= 60 * 24:
        return _("%(n)d d") % {"n": minutes // (60 * 24)}
    if minutes % 60 == 0 and minutes >= 60:
        return _("%(n)d h") % {"n": minutes // 60}
    return _("%(n)d min") % {"n": minutes}


@register.inclusion_tag("desk/_requester_panel.html", takes_context=True)
def requester_panel(context):
    data = _base(context)
    if data["staff"]:
        data["panel"] = selectors.requester_panel(
            ticket=data["ticket"], user=data["user"], agreement=context.get("agreement")
        )
    return data


@register.inclusion_tag("desk/_watchers_panel.html", takes_context=True)
def watchers_panel(context):
    data = _base(context)
    ticket, user = data["ticket"], data["user"]
    watchers = selectors.ticket_watchers(ticket=ticket, user=user)
    data["watchers"] = watchers
    data["following"] = any(w.user_id == user.pk for w in watchers)
    may_cc = data["staff"] or context.get("customer") or data["following"]
    data["colleagues"] = list(selectors.colleagues(ticket=ticket)) if may_cc else []
    return data


@register.inclusion_tag("desk/_links_panel.html", takes_context=True)
def links_panel(context):
    data = _base(context)
    if data["staff"]:
        data["links"] = selectors.ticket_links(ticket=data["ticket"], user=data["user"])
        data["merged"] = any(v.kind == "duplicate_of" for v in data["links"])
        data["kinds"] = [
            (LinkKind.RELATED.value, _("Related to")),
            (LinkKind.PARENT.value, _("Parent of")),
            ("child", _("Child of")),
        ]
    return data


@register.inclusion_tag("desk/_tags_panel.html", takes_context=True)
def tags_panel(context):
    data = _base(context)
    if data["staff"]:
        ticket = data["ticket"]
        on_ticket = Tag.tickets.through.objects.filter(tag_id=OuterRef("pk"), ticket_id=ticket.pk)
        data["tags"] = list(Tag.objects.annotate(on=Exists(on_ticket)).order_by("name"))
        data["current"] = [tag for tag in data["tags"] if tag.on]
    return data


@register.inclusion_tag("desk/_macro_picker.html", takes_context=True)
def macro_picker(context):
    data = _base(context)
    if data["staff"]:
        data["macros"] = list(
            selectors.macro_list(user=data["user"])
            .prefetch_related(None)
            .only("id", "name", "owner_id", "internal")
        )
    return data


@register.inclusion_tag("desk/_presence.html", takes_context=True)
def presence_box(context):
    data = _base(context)
    if data["staff"]:
        # The page already holds the whole conversation (staff see every reply).
        replies = [reply for reply, _html in context.get("replies", [])]
        data["latest_reply"] = max((reply.pk for reply in replies), default=0)
        data["poll_seconds"] = getattr(settings, "TIERDESK_PRESENCE_POLL_SECONDS", 5)
    return data


@register.inclusion_tag("desk/_shortcuts.html", takes_context=True)
def shortcuts_help(context):
    queue = context.get("views") is not None
    user = context.get("user")
    staff = context.get("staff") or (queue and user is not None and user.is_support_staff)
    return {"staff": staff, "queue": queue}
