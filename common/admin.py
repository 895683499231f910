"""Admin pieces shared by the apps."""


class ReadOnlyAdminMixin:
    """History and engine state: viewable in the admin, changed only by services."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
