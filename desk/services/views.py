"""Saved queue views and the remembered last view."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from common.errors import NotAllowed, field_error

from ..models import QueueMemory, SavedView

if TYPE_CHECKING:
    from accounts.models import User

MAX_VIEWS = 50


def saved_view_save(*, user: User, name: str, filters: dict[str, Any], sort: str) -> SavedView:
    """Save (or overwrite, by name) one of the user's queue views."""
    if not user.is_support_staff:
        raise NotAllowed(_("Only staff have queue views."))
    name = " ".join((name or "").split())
    if not name or len(name) > 60 or "\x00" in name:
        raise field_error("name", _("A name has 1 to 60 characters."))
    view = SavedView.objects.filter(user=user, name=name).first()
    if view is None and SavedView.objects.filter(user=user).count() >= MAX_VIEWS:
        raise field_error("name", _("At most %(n)d saved views.") % {"n": MAX_VIEWS})
    view = view or SavedView(user=user, name=name)
    view.filters, view.sort = filters, sort
    view.save()
    return view


def saved_view_delete(*, user: User, view: SavedView) -> None:
    if view.user_id != user.pk:
        raise NotAllowed(_("You cannot delete this view."))
    view.delete()


def queue_view_remember(*, user: User, key: str) -> None:
    """Remember the view the user opened last (one UPDATE once the row exists)."""
    if not QueueMemory.objects.filter(user=user).update(view=key[:40]):
        QueueMemory.objects.get_or_create(user=user, defaults={"view": key[:40]})
