"""The customer portal: my tickets, filing a ticket, the Markdown preview."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tickets.markdown import render_markdown
from tickets.priority import MATRIX, priority_for
from tickets.services import ticket_create

from ..forms import PortalFilterForm, TicketCreateForm, submit_form
from ..selectors import customer_tickets

PAGE_SIZE = 25
MAX_PREVIEW = 50_000


@login_required
@require_GET
def home(request):
    """Customers see their tickets; staff start where their work is."""
    user = request.user
    if user.is_manager:
        return redirect("dashboard")
    if user.is_technician:
        return redirect("queue")
    form = PortalFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    tickets = customer_tickets(user=user, filters=filters)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "tickets": page.object_list,
        "form": form,
        "filtered": bool(filters.get("q") or filters.get("state")),
        "query": query.urlencode(),
    }
    return render(request, "web/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ticket_new(request):
    sent = submit_form(
        request,
        TicketCreateForm,
        lambda data: ticket_create(
            requester=request.user,
            subject=data["subject"],
            description=data["description"],
            category_id=data["category"],
            priority=priority_for(impact=data["impact"], urgency=data["urgency"]),
            files=request.FILES.getlist("attachments"),
        ),
    )
    if sent.done:
        ticket = sent.result
        messages.success(
            request,
            _("Thank you. Your ticket %(ref)s has been filed.") % {"ref": ticket.reference},
        )
        return redirect("ticket-detail", reference=ticket.reference)
    form = sent.form
    matrix = [
        (impact, [MATRIX[(impact, urgency)] for urgency, _label in form.fields["urgency"].choices])
        for impact, _label in form.fields["impact"].choices
    ]
    context = {"form": form, "matrix": matrix, "impact_labels": dict(form.fields["impact"].choices)}
    return render(request, "web/ticket_new.html", context, status=sent.status)


@login_required
@require_POST
def markdown_preview(request):
    """Renders Markdown exactly as the ticket page will (sanitised); changes nothing."""
    text = request.POST.get("text", "")[:MAX_PREVIEW]
    return HttpResponse(render_markdown(text), content_type="text/html; charset=utf-8")
