"""Reads of releases: published ones for everybody, drafts and receipts for staff."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common.errors import NotFound

from .models import Release, ReleaseFix, ReleaseReceipt

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Ticket


def release_list(*, user: User) -> QuerySet[Release]:
    """Every signed-in user sees every published release; staff also see drafts."""
    releases = Release.objects.all() if user.is_support_staff else Release.objects.published()
    return releases.order_by("-published_at", "-created_at", "-id")


def release_get(*, user: User, release_id: int) -> Release:
    release = release_list(user=user).filter(pk=release_id).first()
    if release is None:
        raise NotFound(_("No such release."))
    return release


def release_receipts(*, release: Release) -> QuerySet[ReleaseReceipt]:
    return ReleaseReceipt.objects.filter(release=release).select_related("organisation")


def release_counts(*, release: Release) -> dict[str, int]:
    return {
        "problems": release.problems.count(),
        "tickets": release.ticket_links.count(),
        "resolved": release.fixes.count(),
    }


def ticket_fixes(*, ticket: Ticket) -> QuerySet[ReleaseFix]:
    """The releases that resolved this ticket (for its page)."""
    return ReleaseFix.objects.filter(ticket=ticket).select_related("release")


def published_feed(limit: int = 50) -> QuerySet[Release]:
    return Release.objects.published().order_by("-published_at", "-id")[:limit]
