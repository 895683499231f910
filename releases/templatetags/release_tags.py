"""The release notice of the ticket page, included with one tag."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("releases/_ticket_notice.html")
def release_notice(ticket):
    """“Fixed in release …” on a ticket a published release resolved."""
    return {"fixes": list(selectors.ticket_fixes(ticket=ticket))}
