"""Ticket-page actions of the technician tools: watchers, links and merge, tags, canned
replies, presence. Each POST calls one service and redirects back; a refusal is the
service's 4xx (rendered by common.middleware), nothing changed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from common.errors import NotFound, field_error
from desk import presence
from desk.selectors import macro_get
from desk.services import links, macros, tags, watchers
from tickets import selectors as ticket_selectors
from tickets.models import Reply, Ticket

from ..pages import or_404


def _ticket(request, reference: str) -> Ticket:
    return or_404(ticket_selectors.ticket_get, user=request.user, reference=reference)


def _back(request, ticket: Ticket, message: str):
    messages.success(request, message)
    return redirect("ticket-detail", reference=ticket.reference)


def _other(request, field: str) -> Ticket:
    reference = (request.POST.get(field) or "").strip()
    try:
        return ticket_selectors.ticket_get(user=request.user, reference=reference)
    except NotFound as error:
        raise field_error(field, _("No such ticket: %(ref)s.") % {"ref": reference[:20]}) from error


def _int(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


@login_required
@require_POST
def watcher_add(request, reference):
    ticket = _ticket(request, reference)
    if request.POST.get("follow"):
        person = request.user
    else:
        person = User.objects.filter(pk=_int(request.POST.get("user"))).first()
        if person is None:
            raise field_error("user", _("Choose a colleague to copy in."))
    watchers.watcher_add(ticket=ticket, actor=request.user, user=person)
    if person.pk == request.user.pk:
        return _back(request, ticket, _("You follow this ticket."))
    return _back(request, ticket, _("%(name)s is copied in.") % {"name": person})


@login_required
@require_POST
def watcher_remove(request, reference):
    ticket = _ticket(request, reference)
    person = User.objects.filter(pk=_int(request.POST.get("user"))).first() or request.user
    watchers.watcher_remove(ticket=ticket, actor=request.user, user=person)
    if person.pk == request.user.pk:
        return _back(request, ticket, _("You no longer follow this ticket."))
    return _back(request, ticket, _("%(name)s is no longer copied in.") % {"name": person})


@login_required
@require_POST
def ticket_link(request, reference):
    ticket = _ticket(request, reference)
    other = _other(request, "other")
    kind = request.POST.get("kind", "")
    if kind == "child":
        links.ticket_link(source=other, target=ticket, kind="parent", actor=request.user)
    else:
        links.ticket_link(source=ticket, target=other, kind=kind, actor=request.user)
    return _back(request, ticket, _("Linked with %(ref)s.") % {"ref": other.reference})


@login_required
@require_POST
def ticket_unlink(request, reference):
    ticket = _ticket(request, reference)
    other = _other(request, "other")
    links.ticket_unlink(ticket=ticket, other=other, actor=request.user)
    return _back(request, ticket, _("Link to %(ref)s removed.") % {"ref": other.reference})


@login_required
@require_POST
def ticket_merge(request, reference):
    duplicate = _ticket(request, reference)
    original = _other(request, "original")
    links.ticket_merge(duplicate=duplicate, original=original, actor=request.user)
    messages.success(
        request,
        _("%(dup)s was merged into this ticket.") % {"dup": duplicate.reference},
    )
    return redirect("ticket-detail", reference=original.reference)


@login_required
@require_POST
def ticket_tags(request, reference):
    ticket = _ticket(request, reference)
    tags.ticket_set_tags(ticket=ticket, actor=request.user, names=request.POST.getlist("tags"))
    return _back(request, ticket, _("Tags saved."))


@login_required
@require_GET
def macro_preview(request, reference, macro_id):
    """The canned reply filled in for this ticket (JSON), for the reply box."""
    ticket = _ticket(request, reference)
    if not request.user.is_support_staff:
        raise PermissionDenied
    macro = or_404(macro_get, user=request.user, macro_id=macro_id)
    return JsonResponse(
        {
            "id": macro.pk,
            "name": macro.name,
            "body": macros.macro_render(macro=macro, ticket=ticket, actor=request.user),
            "internal": macro.internal,
            "set_status": macro.set_status,
            "set_priority": macro.set_priority,
        }
    )


@login_required
@require_POST
def macro_apply(request, reference):
    ticket = _ticket(request, reference)
    try:
        macro = macro_get(user=request.user, macro_id=_int(request.POST.get("macro")) or 0)
    except NotFound as error:
        raise field_error("macro", _("Choose a canned reply.")) from error
    macros.macro_apply(
        macro=macro, ticket=ticket, actor=request.user, body=request.POST.get("body")
    )
    return _back(request, ticket, _("Canned reply “%(name)s” sent.") % {"name": macro.name})


@login_required
@require_POST
def ticket_presence(request, reference):
    """Who else has the ticket open or is writing; the newest reply's id (for the
    warning before sending). Polled by the page; empty when the cache is down."""
    ticket = _ticket(request, reference)
    if not request.user.is_support_staff:
        raise PermissionDenied
    writing = request.POST.get("writing") == "1"
    others = presence.presence_touch(ticket_id=ticket.pk, user=request.user, writing=writing)
    latest = Reply.objects.filter(ticket=ticket).order_by("-id").values_list("id", flat=True)
    return JsonResponse(
        {
            "available": others is not None,
            "others": others or [],
            "latest_reply": latest.first() or 0,
        }
    )
