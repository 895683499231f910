"""The knowledge panels of the ticket page, each included with one tag."""

from __future__ import annotations

import secrets

from django import template

from tickets.permissions import can_work

from .. import selectors

register = template.Library()


@register.inclusion_tag("knowledge/_verify_panel.html", takes_context=True)
def verify_panel(context, ticket):
    """Staff: matching articles, similar resolved tickets with their resolution, problems."""
    request = context["request"]
    user = request.user
    if not can_work(ticket=ticket, user=user):
        return {"panel": None}
    return {
        "panel": selectors.verify_panel(ticket=ticket, user=user),
        "ticket": ticket,
        "csrf_token": context.get("csrf_token"),
        "can_draft": ticket.status in ("resolved", "closed"),
        "request": request,
    }


@register.inclusion_tag("knowledge/_problem_notice.html", takes_context=True)
def problem_notice(context, ticket, staff=False):
    """Everyone on the ticket: the known problem behind it and its workaround (customers:
    only a public workaround, and no internal facts such as the root cause)."""
    problems = selectors.ticket_problems(ticket=ticket)
    return {"problems": problems, "staff": staff, "ticket": ticket}


@register.inclusion_tag("knowledge/_deflection_panel.html")
def deflection_panel():
    """Beside the new-ticket form: matching public articles appear while the customer types."""
    return {"deflection_token": secrets.token_urlsafe(16)}
