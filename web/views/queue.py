"""The technician queue: my tier by default, urgent first, refreshed in place."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Organisation, Role, User
from escalation.services.bulk_actions import MAX_TICKETS

from ..forms import QueueFilterForm
from ..paging import cursor_page
from ..queue_figures import FigureFilterForm, apply_figure_filters, has_figure_filters
from ..selectors import queue_search, queue_tickets, without_search
from . import queue_views

PAGE_SIZE = 25
# The queue counts at most this many tickets and says "500+" beyond: an exact count of a
# tier at a million tickets would cost more than the page itself.
COUNT_CAP = 500


@login_required
@require_GET
def queue(request):
    user = request.user
    if not user.is_support_staff:
        raise PermissionDenied
    tiers = user.visible_tiers
    default_tier = user.tier if user.is_technician else "all"
    data = request.GET.copy()
    partial = bool(request.GET.get("partial"))
    views = queue_views.available_views(user=user) if not partial else []
    chosen = queue_views.choose(user=user, data=data, views=views, partial=partial)
    data.setdefault("tier", default_tier)
    form = QueueFilterForm(data, tiers=tiers)
    filters = form.cleaned_data if form.is_valid() else {"tier": default_tier}
    # The search narrows the page as it is read (web.paging): a common word stops after
    # a page of hits along the urgency index, a rare one reads its few matches.
    search = queue_search(filters)
    tickets = queue_views.refine(
        queue_tickets(user=user, filters=without_search(filters)), data=data
    )
    # The tickets behind a dashboard figure (web/queue_figures.py); bad values: 400.
    figure_form = FigureFilterForm(request.GET)
    figure = has_figure_filters(request.GET)
    if figure and figure_form.is_valid():
        tickets = apply_figure_filters(tickets, figure_form.cleaned_data, now=timezone.now())
    page = cursor_page(
        tickets,
        cursor=request.GET.get("cursor", ""),
        size=PAGE_SIZE,
        cap=COUNT_CAP,
        narrowing=search,
    )
    query = data.copy()
    for name in ("cursor", "page", "partial"):
        query.pop(name, None)
    context = {
        "form": form,
        "page": page,
        "tickets": page.rows,
        "query": query.urlencode(),
        "tier_label": filters.get("tier") or default_tier,
        "handed_off": filters.get("who") == "handed_off",
        "poll_seconds": getattr(settings, "TIERDESK_QUEUE_POLL_SECONDS", 15),
        "figure_form": figure_form if figure else None,
        **queue_views.sort_context(data=data),
    }
    status = 400 if figure and not figure_form.is_valid() else 200
    if request.GET.get("partial"):
        return render(request, "web/_queue_rows.html", context, status=status)
    context["organisations"] = Organisation.objects.order_by("name").only("id", "name")
    context.update(queue_views.views_context(user=user, data=data, views=views, chosen=chosen))
    context["staff"] = User.objects.filter(
        Q(role=Role.TECHNICIAN) | Q(role=Role.MANAGER), is_active=True
    ).order_by("role", "tier", "username")
    context["bulk_max"] = MAX_TICKETS
    return render(request, "web/queue.html", context, status=status)
