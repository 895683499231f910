"""The queue's bulk actions: one action on the tickets ticked on the page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from common.errors import ApplicationError, NotAllowed
from common.ids import parse_id
from escalation.services.bulk_actions import tickets_bulk_action
from knowledge.selectors import problem_get
from knowledge.services import problem_link_tickets

FIELDS = ("status", "priority", "body", "handoff_note", "tier", "reason")


def _ids(request) -> list[int] | None:
    values = request.POST.getlist("ids")
    if not all(v.isascii() and v.isdigit() and len(v) <= 18 for v in values):
        return None
    return [int(v) for v in values]


@login_required
@require_POST
def queue_bulk(request):
    if not request.user.is_support_staff:
        raise PermissionDenied
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    action = request.POST.get("action", "")
    data = {field: request.POST.get(field, "") for field in FIELDS}
    if action == "assign":
        choice = request.POST.get("assignee", "")
        data["assignee"] = int(choice) if choice.isascii() and choice.isdigit() else None
    ids = _ids(request)
    if action == "problem":
        return _link_to_problem(request, ids=ids, back=back)
    try:
        if ids is None:
            raise ApplicationError(_("Ticket ids are whole numbers."), code="invalid")
        results = tickets_bulk_action(
            actor=request.user,
            ids=ids,
            action=action,
            data=data,
            all_or_nothing=request.POST.get("all_or_nothing") == "on",
        )
    except ApplicationError as error:
        detail = "; ".join(m for ms in error.fields.values() for m in ms) or error.detail
        messages.error(request, _("Nothing was changed: %(reason)s") % {"reason": detail})
        return redirect(back or "queue")
    done = [r for r in results if r.ok]
    refused = [r for r in results if not r.ok]
    if done:
        messages.success(
            request,
            ngettext("%(n)d ticket changed.", "%(n)d tickets changed.", len(done))
            % {"n": len(done)},
        )
    if refused:
        listed = ", ".join(f"{r.reference or r.id}: {r.detail}" for r in refused)
        messages.warning(
            request,
            ngettext(
                "%(n)d ticket not changed: %(list)s",
                "%(n)d tickets not changed: %(list)s",
                len(refused),
            )
            % {"n": len(refused), "list": listed},
        )
    return redirect(back or "queue")


def _link_to_problem(request, *, ids: list[int] | None, back: str):
    """Link the ticked tickets to one known problem (all of them, or none if any is not
    the technician's to see), through the problem service the problem page uses."""
    try:
        problem_id = parse_id(request.POST.get("problem"))
        if problem_id is None:
            raise ApplicationError(_("Give the number of a known problem."), code="invalid")
        problem = problem_get(user=request.user, problem_id=problem_id)
        linked = problem_link_tickets(problem=problem, actor=request.user, ids=ids or [])
    except (ApplicationError, NotAllowed) as error:
        detail = "; ".join(m for ms in error.fields.values() for m in ms) or error.detail
        messages.error(request, _("Nothing was linked: %(reason)s") % {"reason": detail})
        return redirect(back or "queue")
    messages.success(
        request,
        ngettext(
            "%(n)d ticket linked to the known problem “%(title)s”.",
            "%(n)d tickets linked to the known problem “%(title)s”.",
            linked,
        )
        % {"n": linked, "title": problem.title},
    )
    return redirect(back or "queue")
