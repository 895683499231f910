"""What base.html needs on every page."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from escalation.selectors import UNREAD_CAP, unread_count


def notifications(request) -> dict:
    """The header's unread count: one query, and only on a page that shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def label() -> str:
        count = unread_count(user=user)
        return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)

    return {"unread_notices": SimpleLazyObject(label)}
