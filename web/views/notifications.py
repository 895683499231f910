"""The signed-in user's notices in the app: the list, opening one, marking read.

Every lookup goes through the user's own inbox (another user's notice is a 404, as is a
ticket the user can no longer see); marks are POSTs with CSRF, through one service.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from common.errors import NotFound
from escalation.models import Notification
from escalation.selectors import inbox_get, inbox_page
from escalation.services.inbox import notifications_mark_read
from tickets.selectors import ticket_get


def _notice(request, notification_id: int) -> Notification:
    try:
        return inbox_get(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist as error:
        raise Http404 from error


def _back(request):
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("notifications")


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


@login_required
@require_GET
def notification_list(request):
    unread = request.GET.get("unread") == "1"
    before = _int(request.GET.get("before"))
    rows, more = inbox_page(user=request.user, before=before, unread=unread)
    return render(
        request,
        "web/notifications.html",
        {"rows": rows, "more": more, "unread_only": unread},
    )


@login_required
@require_GET
def notification_open(request, notification_id: int):
    """Follow a notice to its ticket, if the user may still see it (404 otherwise). Following
    it is reading it (a read mark is idempotent, so this GET may write it)."""
    notice = _notice(request, notification_id)
    if notice.ticket_id is None:
        notifications_mark_read(user=request.user, ids=[notice.pk])
        return redirect("notifications")
    try:
        ticket = ticket_get(user=request.user, reference=notice.ticket_id)
    except NotFound as error:
        raise Http404 from error
    notifications_mark_read(user=request.user, ids=[notice.pk])
    return redirect("ticket-detail", reference=ticket.reference)


@login_required
@require_POST
def notification_read(request, notification_id: int):
    notice = _notice(request, notification_id)
    notifications_mark_read(user=request.user, ids=[notice.pk])
    return _back(request)


@login_required
@require_POST
def notifications_read_all(request):
    notifications_mark_read(user=request.user)
    return _back(request)
