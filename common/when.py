"""Times as a person reads them: in the reader's zone, with the zone named.

The reader's zone is the active one (web.UserPreferencesMiddleware activates the signed-in
user's profile zone; notifications override it with the recipient's). Pages use the `when`
template filter (common/templatetags/when.py, a built-in), texts such as mails call
`zoned_text`; both share this one format, so a time never appears without its zone.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, tzinfo

from django.utils import dateformat, timezone
from django.utils.translation import pgettext


def zoned_text(instant: datetime | None) -> str:
    """'1 Dec 2026, 14:05 CET' (German: '1. Dez. 2026, 14:05 CET') in the active zone."""
    if instant is None:
        return ""
    local = timezone.localtime(instant) if timezone.is_aware(instant) else instant
    # Translators: a date and time with its zone (Django date format characters).
    return dateformat.format(local, pgettext("date and time with zone", "j M Y, H:i T"))


def reader_zone(user) -> tzinfo:
    """The zone a person reads times in: their profile's, else the site default."""
    try:
        return zoneinfo.ZoneInfo(getattr(user, "time_zone", "") or "")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()
