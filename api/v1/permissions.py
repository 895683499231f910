"""Who may call which endpoint; which rows is decided by the selectors, not here."""

from rest_framework.permissions import BasePermission


class IsManager(BasePermission):
    message = "Only managers can do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_manager)


class IsSupportStaff(BasePermission):
    message = "Only support staff can do this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_support_staff)
