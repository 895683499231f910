"""Serving an attachment: the one helper behind the ticket page's and the API's download.

The file goes out only to someone who may see it (tickets.selectors.attachment_get), only
under the ticket it belongs to, always as a download the browser neither sniffs nor renders
(octet-stream, nosniff, a sandboxing policy), with the name it was uploaded under.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import FileResponse

from common.errors import NotFound

from .selectors import attachment_get

if TYPE_CHECKING:
    from accounts.models import User


def attachment_download(*, user: User, ticket_id: int | None, attachment_id: int) -> FileResponse:
    """The attachment as a file response. NotFound for anything the user may not have, and
    for an attachment of another ticket than `ticket_id` (the one the URL names)."""
    attachment = attachment_get(user=user, attachment_id=attachment_id)
    if ticket_id is None or attachment.ticket_id != ticket_id:
        raise NotFound("No such attachment.")
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
