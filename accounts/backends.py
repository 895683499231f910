"""Managers administer the help desk without per-model permission bookkeeping.

Django's admin asks the auth backends for model permissions; this backend
answers yes for active manager accounts on the help desk's own apps, so a
manager created in the UI, the API or the admin can use the admin at once.
Everyone else keeps Django's ordinary permission checks.
"""

from django.contrib.auth.backends import ModelBackend

MANAGED_APPS = frozenset(
    {
        "accounts",
        "tickets",
        "sla",
        "escalation",
        "api",
        "django_celery_beat",
        "desk",
        "mail",
    }
)


def _is_manager(user) -> bool:
    return bool(user.is_active and user.is_staff and getattr(user, "is_manager", False))


class ManagerBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if _is_manager(user_obj) and perm.split(".", 1)[0] in MANAGED_APPS:
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if _is_manager(user_obj) and app_label in MANAGED_APPS:
            return True
        return super().has_module_perms(user_obj, app_label)
