"""The ticket page's "received by e-mail" panel for staff: the full originals (one query)."""

from __future__ import annotations

from django import template

from ..selectors import ticket_mails

register = template.Library()


@register.inclusion_tag("mail/_mail_panel.html", takes_context=True)
def mail_panel(context):
    staff = bool(context.get("staff"))
    ticket = context["ticket"]
    return {"staff": staff, "mails": list(ticket_mails(ticket_id=ticket.pk)) if staff else []}
