"""Managers configure mailboxes (admin and API call the same service)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from common.errors import ApplicationError, NotAllowed, field_error

from ..crypto import encrypt_secret
from ..models import AfterProcessing, Mailbox, UnknownSenders

EDITABLE = (
    "name", "host", "port", "security", "username", "folder", "organisation", "category",
    "priority", "unknown_senders", "foreign_replies", "after_processing", "processed_folder",
    "active",
)  # fmt: skip


def mailbox_save(
    *, actor: User, mailbox: Mailbox | None = None, password: str | None = None, **values: Any
) -> Mailbox:
    """Create or change a mailbox; `password=None` keeps the stored one."""
    if not actor.is_manager:
        raise NotAllowed(_("Only managers configure mailboxes."))
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise field_error(sorted(unknown)[0], _("This field cannot be set."))
    mailbox = mailbox or Mailbox()
    for name, value in values.items():
        setattr(mailbox, name, value)
    if password is not None:
        if "\x00" in password or len(password) > 1000:
            raise field_error("password", _("This password cannot be used."))
        mailbox.password_encrypted = encrypt_secret(password)
    if not mailbox.password_encrypted:
        raise field_error("password", _("The mailbox needs a password."), code="required")
    if mailbox.unknown_senders == UnknownSenders.CREATE and mailbox.organisation_id is None:
        raise field_error("organisation", _("New customers need an organisation to be created in."))
    if mailbox.after_processing == AfterProcessing.MOVE and not mailbox.processed_folder:
        raise field_error("processed_folder", _("Name the folder processed mail moves to."))
    if not 0 < int(mailbox.port or 0) < 65536:
        raise field_error("port", _("A port from 1 to 65535."))
    try:
        mailbox.full_clean(exclude=["password_encrypted"])
    except ValidationError as invalid:
        fields = {name: [str(m) for m in errs] for name, errs in invalid.message_dict.items()}
        first = next(iter(fields.values()))[0]
        raise ApplicationError(first, fields=fields) from invalid
    with transaction.atomic():
        mailbox.save()
    return mailbox
