"""Browser pages. Thin: read through selectors, write through services."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from common.errors import NotFound
from tickets import selectors as ticket_selectors
from tickets.markdown import render_markdown


@login_required
@require_GET
def home(request):
    user = request.user
    tickets = ticket_selectors.ticket_list(user=user).order_by("-updated_at")[:50]
    return render(request, "web/home.html", {"tickets": tickets})


@login_required
@require_GET
def ticket_detail(request, reference):
    try:
        ticket = ticket_selectors.ticket_get(user=request.user, reference=reference)
    except NotFound as error:
        raise Http404(error.detail) from error
    replies = ticket_selectors.ticket_replies(ticket=ticket, user=request.user)
    return render(
        request,
        "web/ticket_detail.html",
        {
            "ticket": ticket,
            "description_html": render_markdown(ticket.description),
            "replies": [(reply, render_markdown(reply.body)) for reply in replies],
            "attachments": ticket_selectors.ticket_attachments(ticket=ticket, user=request.user),
        },
    )


@login_required
@require_GET
def attachment_download(request, reference, attachment_id):
    try:
        attachment = ticket_selectors.attachment_get(user=request.user, attachment_id=attachment_id)
    except NotFound as error:
        raise Http404(error.detail) from error
    if attachment.ticket.reference != reference.upper():
        raise Http404("No such attachment.")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
