"""Audit-log entries for what Django's auth does on its own: sign-ins, failures, groups."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .audit import security_event_record
from .models import SecurityEventKind, User
from .services import user_permissions_changed


@receiver(user_login_failed, dispatch_uid="accounts_audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the username is kept.
    security_event_record(
        kind=SecurityEventKind.SIGN_IN_FAILED,
        request=request,
        username=str(credentials.get("username", "")),
    )


@receiver(user_logged_in, dispatch_uid="accounts_audit_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    security_event_record(kind=SecurityEventKind.SIGN_IN, request=request, actor=user, subject=user)


def _on_permissions(sender, instance, action, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    users = [instance] if isinstance(instance, User) else list(User.objects.filter(pk__in=pk_set))
    what = "groups" if sender is User.groups.through else "permissions"
    for user in users:
        user_permissions_changed(user=user, detail=f"{what} {action.removeprefix('post_')}")


m2m_changed.connect(_on_permissions, sender=User.groups.through, dispatch_uid="accounts_groups")
m2m_changed.connect(
    _on_permissions, sender=User.user_permissions.through, dispatch_uid="accounts_perms"
)
