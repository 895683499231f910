"""Small display helpers: tier-neutral wording for customers, event sentences."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from accounts.models import Tier
from accounts.names import hides_staff_names, staff_name_for_customers
from tickets.models import Priority, Status

register = template.Library()


@register.filter
def customer_stage(ticket) -> str:
    """Where the ticket is, without tier jargon (customers never see L1/L2/L3)."""
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        return _("Done")
    if ticket.tier == Tier.L1:
        return _("With our service desk")
    return _("With our specialists")


@register.filter
def customer_status(ticket) -> str:
    if ticket.status == Status.PENDING_CUSTOMER:
        return _("Waiting for your answer")
    if ticket.status == Status.NEW:
        return _("Received")
    if ticket.status == Status.ON_HOLD:
        return pgettext("customer view", "On hold")
    return Status(ticket.status).label


@register.filter
def status_label(value: str) -> str:
    return Status(value).label if value in Status.values else value


@register.filter
def priority_label(value: str) -> str:
    return Priority(value).label if value in Priority.values else value


@register.filter
def tier_label(value: str) -> str:
    """What `get_tier_display` shows, without building the choices each time (queue rows)."""
    return Tier(value).label if value in Tier.values else value


SLA_LABELS = {
    "ok": gettext_lazy("On track"),
    "warning": gettext_lazy("Due soon"),
    "breached": gettext_lazy("Breached"),
    "paused": gettext_lazy("Paused"),
    "met": gettext_lazy("Met"),
}


@register.filter
def sla_label(value: str) -> str:
    label = SLA_LABELS.get(value)
    return value if label is None else str(label)


@register.simple_tag
def event_text(event, notes=None) -> str:
    """One translated sentence per history entry (see web.history)."""
    from ..history import describe

    return describe(event, notes=notes)


@register.filter
def is_clock_event(event) -> bool:
    return event.kind.startswith("clock_")


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.simple_tag(takes_context=True)
def person(context, user) -> str:
    """A reply's author or an event's actor as the viewer may see them: customers see staff
    by their display name (or "Support"), never by username."""
    if user is None:
        return _("system")
    request = context.get("request")
    if user.is_support_staff and hides_staff_names(getattr(request, "user", None)):
        name = staff_name_for_customers(user)
        return name if name == _("Support") else _("%(name)s (support)") % {"name": name}
    return str(user)
