"""`{{ instant|when }}`: a <time> element reading '1 Dec 2026, 14:05 CET' in the reader's zone.

Registered as a template built-in (settings TEMPLATES), so every template uses the same filter.
"""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html

from common.when import zoned_text

register = template.Library()


@register.filter(is_safe=True)
def when(instant) -> str:
    if not instant:
        return ""
    local = timezone.localtime(instant) if timezone.is_aware(instant) else instant
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), zoned_text(instant))


@register.filter
def when_text(instant) -> str:
    """The same words without the element, for attributes (a countdown's title)."""
    return zoned_text(instant) if instant else ""
