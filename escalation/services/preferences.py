"""People's choices of how they are told: per kind and channel (e-mail, in the app), and
for staff the rhythm of their e-mail (one per notice, or a digest)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from django.db import transaction
from django.utils.translation import gettext as _

from common.errors import field_error

from ..models import MailMode, NotificationKind, NotificationPreference, NotificationSettings

if TYPE_CHECKING:
    from accounts.models import User


class Choice(NamedTuple):
    kind: str
    mail: bool
    in_app: bool


def notification_preferences_set(
    *, user: User, choices: Sequence[Choice], mail_mode: str | None = None
) -> list[NotificationPreference]:
    """Save choices for some kinds (and the e-mail rhythm), all or none, in one transaction.
    Mandatory kinds (maintenance releases) cannot be switched off by e-mail."""
    kinds = [choice.kind for choice in choices]
    for choice in choices:
        if choice.kind not in NotificationKind.values:
            raise field_error("kind", _("Unknown kind of notice “%s”.") % choice.kind)
        if choice.kind in NotificationKind.mandatory() and not choice.mail:
            raise field_error(
                "kind",
                _("“%s” notices always come by e-mail.") % NotificationKind(choice.kind).label,
            )
    if len(set(kinds)) != len(kinds):
        raise field_error("kind", _("Each kind of notice once, please."))
    if mail_mode is not None and mail_mode not in MailMode.values:
        raise field_error("mail_mode", _("Choose immediately or a digest."))
    with transaction.atomic():
        saved = NotificationPreference.objects.bulk_create(
            [
                NotificationPreference(
                    user=user, kind=choice.kind, mail=choice.mail, in_app=choice.in_app
                )
                for choice in choices
            ],
            update_conflicts=True,
            unique_fields=["user", "kind"],
            update_fields=["mail", "in_app"],
        )
        if mail_mode is not None:
            NotificationSettings.objects.update_or_create(
                user=user, defaults={"mail_mode": mail_mode}
            )
    return saved


def notification_preference_set(
    *, user: User, kind: str, mail: bool = True, in_app: bool = True
) -> NotificationPreference:
    """One kind's choice: the list of one."""
    return notification_preferences_set(user=user, choices=[Choice(kind, mail, in_app)])[0]
