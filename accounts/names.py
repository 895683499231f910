"""How people are named to whom: customers never learn the usernames of support staff.

`TIERDESK_STAFF_NAMES` chooses what a customer sees of a technician or manager:
`first_name` (the default; "Support" when empty), `full_name` (the same fallback) or
`support` (always the word "Support").
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

STAFF_NAME_CHOICES = ("first_name", "full_name", "support")


def staff_name_for_customers(user) -> str:
    """The name a customer is shown for a member of staff: never the username."""
    choice = getattr(settings, "TIERDESK_STAFF_NAMES", "first_name")
    if choice == "full_name":
        name = user.get_full_name()
    elif choice == "first_name":
        name = user.first_name.strip()
    else:
        name = ""
    return name or _("Support")


def hides_staff_names(viewer) -> bool:
    """True when `viewer` (a user, anonymous or None) must not see staff usernames."""
    return not (viewer is not None and viewer.is_authenticated and viewer.is_support_staff)


def shown_name(user, *, viewer) -> str:
    """`user` as `viewer` may see them: staff see everyone as they are; others see staff
    by their display name or as "Support"."""
    if user is None:
        return ""
    if user.is_support_staff and hides_staff_names(viewer):
        return staff_name_for_customers(user)
    return str(user)
