"""Input checks and file handling shared by the ticket services."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.models import User
from common.bulk import cache_related
from common.errors import field_error
from common.text import single_line

from .. import events
from ..models import Attachment, Reply, Ticket
from ..uploads import CheckedFile, check_upload

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from accounts.models import User

MAX_SUBJECT = 200
MAX_TEXT = 50_000
MAX_FILES = 10


def clean_text(value: str | None, *, field: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise field_error(field, _("The text contains a NUL character."))
    if required and not text:
        raise field_error(field, _("This field is required."), code="required")
    if len(text) > max_length:
        raise field_error(
            field, _("At most %(max)d characters, got %(n)d.") % {"max": max_length, "n": len(text)}
        )
    return text


def clean_line(value: str | None, *, field: str, max_length: int, required: bool = True) -> str:
    """A single-line field (a subject): line breaks become spaces, then as clean_text."""
    return clean_text(
        single_line(value or ""), field=field, max_length=max_length, required=required
    )


def check_files(files: Sequence[UploadedFile]) -> list[CheckedFile]:
    if len(files) > MAX_FILES:
        raise field_error("attachments", _("At most %(n)d files at once.") % {"n": MAX_FILES})
    # Check every file before storing any, so a bad one leaves nothing behind.
    return [check_upload(f) for f in files]


def store_files(
    *, ticket: Ticket, uploader: User, checked: Iterable[CheckedFile], reply: Reply | None
) -> list[Attachment]:
    stored = []
    internal = bool(reply and reply.internal)
    for item in checked:
        attachment = Attachment(
            ticket=ticket,
            reply=reply,
            uploaded_by=uploader,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
        )
        attachment.file.save(item.filename, item.upload, save=False)
        FileCleanup.track(attachment)
        attachment.save()
        events.insert(
            [events.attachment_added(ticket=ticket, attachment=attachment, internal=internal)]
        )
        stored.append(attachment)
    return stored


class FileCleanup:
    """Deletes the files stored inside a write that then failed.

    Files are not transactional: if anything in the block raises (and the
    transaction rolls back), the files it stored are removed again.
    """

    _local = threading.local()

    def __enter__(self) -> FileCleanup:
        self._local.stack = [*getattr(self._local, "stack", []), []]
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        stack = self._local.stack
        files = stack.pop()
        if exc_type is not None:
            for storage, name in files:
                storage.delete(name)
        elif stack:
            stack[-1].extend(files)

    @classmethod
    def track(cls, attachment: Attachment) -> None:
        stack = getattr(cls._local, "stack", None)
        if stack:
            stack[-1].append((attachment.file.storage, attachment.file.name))


def locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().get(pk=ticket.pk)


def lock_many(ticket_ids: Sequence[int]) -> dict[int, Ticket]:
    """The tickets read again under their row locks (in id order, so two writers of
    overlapping sets wait for each other instead of deadlocking), by id."""
    rows = list(Ticket.objects.filter(pk__in=list(ticket_ids)).select_for_update().order_by("pk"))
    if len(rows) == 1:
        return {rows[0].pk: rows[0]}  # its people load when a receiver needs them, as ever
    # Many: their people in one read after the lock, not joined to it (a row re-read after
    # waiting for the lock is current; rows joined to it would be as before the wait).
    people = {t.requester_id for t in rows} | {t.assignee_id for t in rows if t.assignee_id}
    users = User.objects.in_bulk(people)
    for ticket in rows:
        cache_related(
            ticket,
            requester=users[ticket.requester_id],
            assignee=users[ticket.assignee_id] if ticket.assignee_id else None,
        )
    return {ticket.pk: ticket for ticket in rows}
