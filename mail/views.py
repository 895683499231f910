"""Staff download the full original of a mail that opened or answered a ticket."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from tickets.models import Ticket

from .models import InboundMail


@login_required
def inbound_original(request, pk: int):
    user = request.user
    if not user.is_support_staff:
        raise Http404
    row = InboundMail.objects.filter(pk=pk, ticket__in=Ticket.objects.visible_to(user)).first()
    return original_response(row)


def original_response(row: InboundMail | None) -> FileResponse:
    """The stored original as a download (never rendered inline), or 404."""
    if row is None or not row.original:
        raise Http404
    response = FileResponse(
        row.original.open("rb"), as_attachment=True, filename=f"mail-{row.pk}.eml"
    )
    response["Content-Type"] = "message/rfc822"
    response["X-Content-Type-Options"] = "nosniff"
    return response
