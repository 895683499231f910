"""Release pages: the portal list for everyone, the staff editor, the manager's publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.errors import ApplicationError
from knowledge.services import can_publish
from tickets.markdown import render_markdown
from web.forms import submit_form
from web.pages import or_404

from . import selectors, services
from .forms import ReleaseForm


def _release(request, release_id: int):
    return or_404(selectors.release_get, user=request.user, release_id=release_id)


@login_required
@require_GET
def release_index(request):
    page = Paginator(selectors.release_list(user=request.user), 20).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "releases": page.object_list, "can_prepare": can_publish(request.user)}
    return render(request, "releases/index.html", context)


@login_required
@require_GET
def release_detail(request, release_id):
    release = _release(request, release_id)
    context = {"release": release, "notes_html": render_markdown(release.notes)}
    if request.user.is_support_staff:
        context["problems"] = list(release.problems.all())
        context["counts"] = selectors.release_counts(release=release)
    if request.user.is_manager:
        context["receipts"] = selectors.release_receipts(release=release)
    return render(request, "releases/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def release_new(request):
    if not can_publish(request.user):
        raise Http404(_("No such page."))
    sent = submit_form(
        request,
        ReleaseForm,
        lambda data: services.release_create(
            actor=request.user,
            version=data["version"],
            title=data["title"],
            notes=data["notes"],
            release_date=data["release_date"],
            problems=[p.pk for p in data["problems"]],
            tickets=data["tickets"],
        ),
    )
    if sent.done:
        messages.success(request, _("Release saved as a draft."))
        return redirect("release-detail", release_id=sent.result.pk)
    return render(request, "releases/edit.html", {"form": sent.form}, status=sent.status)


@login_required
@require_POST
def release_publish(request, release_id):
    release = _release(request, release_id)
    try:
        services.release_publish(release=release, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.detail)
        return redirect("release-detail", release_id=release.pk)
    messages.success(
        request,
        _("Release %(version)s is published to every customer.") % {"version": release.version},
    )
    return redirect("release-detail", release_id=release.pk)
