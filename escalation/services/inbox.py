"""Marks on the in-app list: a notice read, or all of them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from ..models import Notification

if TYPE_CHECKING:
    from accounts.models import User


def notifications_mark_read(
    *, user: User, ids: Sequence[int] | None = None, now: datetime | None = None
) -> int:
    """Mark the user's unread notices read: these ids (others' ids change nothing) or, with
    None, every one; one UPDATE. Returns how many were unread."""
    rows = Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=now or timezone.now())
