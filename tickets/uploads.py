"""Checks an uploaded file before anything is stored: name, size and real type.

The type is decided by the file's content (magic bytes), never by the name or
the browser's claim; the name must agree with the content.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from common.errors import field_error

# Detected binary types we accept, with the extensions that may carry them.
BINARY_TYPES: dict[str, set[str]] = {
    "image/png": {"png"},
    "image/jpeg": {"jpg", "jpeg"},
    "image/gif": {"gif"},
    "image/webp": {"webp"},
    "application/pdf": {"pdf"},
    "application/zip": {"zip"},
    "application/gzip": {"gz"},
}
# Plain text has no magic bytes: accepted by extension when it decodes as text
# and does not look like markup a browser would run.
TEXT_EXTENSIONS = {"txt": "text/plain", "log": "text/plain", "csv": "text/csv", "md": "text/plain"}
MARKUP_SNIFF = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")
MAX_NAME_LENGTH = 200
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    filename: str
    content_type: str
    size: int


def _refuse(message: str):
    return field_error("attachments", message, code="invalid_attachment")


def clean_filename(name: str) -> str:
    """Return the name unchanged if it is a plain file name; refuse path tricks."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name:
        raise _refuse(_("The file needs a name."))
    if len(name) > MAX_NAME_LENGTH:
        raise _refuse(
            _("The file name is longer than %(max)d characters.") % {"max": MAX_NAME_LENGTH}
        )
    if any(c in name for c in "/\\") or name in {".", ".."} or name.startswith("."):
        raise _refuse(
            _("The file name “%(name)s” is not allowed: no folders or hidden files.")
            % {"name": name}
        )
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise _refuse(_("The file name contains control characters."))
    if "." not in name:
        raise _refuse(_("The file name needs an extension such as .png or .pdf."))
    return name


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Validate one upload; raise ApplicationError with a clear reason, store nothing."""
    filename = clean_filename(upload.name or "")
    extension = filename.rsplit(".", 1)[1].lower()
    limit = settings.TIERDESK_MAX_ATTACHMENT_BYTES
    size = upload.size or 0
    if size > limit:
        raise _refuse(
            _("“%(name)s” is %(size)s; the limit is %(limit)s.")
            % {"name": filename, "size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if size == 0:
        raise _refuse(_("“%(name)s” is empty.") % {"name": filename})
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        allowed = BINARY_TYPES.get(kind.mime)
        if allowed is None:
            raise _refuse(_("Files of type %(type)s are not accepted.") % {"type": kind.mime})
        if extension not in allowed:
            raise _refuse(
                _("“%(name)s” does not match its content (%(type)s).")
                % {"name": filename, "type": kind.mime}
            )
        return CheckedFile(upload=upload, filename=filename, content_type=kind.mime, size=size)
    text_type = TEXT_EXTENSIONS.get(extension)
    if text_type is None or not _looks_like_plain_text(head):
        raise _refuse(
            _("“%(name)s” is not an accepted type. Accepted: images, PDF, ZIP and plain text.")
            % {"name": filename}
        )
    return CheckedFile(upload=upload, filename=filename, content_type=text_type, size=size)


def _looks_like_plain_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the sniff boundary is still text.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    lowered = text.lstrip().lower().encode()
    return not any(marker in lowered[:1024] for marker in MARKUP_SNIFF)
