from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .lockout import SIGN_IN_FAILED
from .models import ApiToken, Organisation, SecurityEvent, User
from .services import OWN_PRIVILEGE_FIELDS, api_tokens_revoke, can_administer

# Only superusers grant these; a manager's form does not offer them.
SUPERUSER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


class SignInAdminForm(AdminAuthenticationForm):
    """The admin's sign-in says what every failed sign-in says."""

    error_messages = {**AdminAuthenticationForm.error_messages, "invalid_login": SIGN_IN_FAILED}


admin.site.login_form = SignInAdminForm


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "created_at"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Managers administer the help desk's people; superusers stay the superusers' own."""

    list_display = ["username", "email", "role", "tier", "organisation", "is_vip", "is_active"]
    list_filter = ["role", "tier", "is_vip", "is_organisation_contact", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["username", "email", "first_name", "last_name"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Help desk"),
            {
                "fields": (
                    "role",
                    "tier",
                    "is_team_lead",
                    "organisation",
                    "is_organisation_contact",
                    "is_vip",
                    "language",
                    "time_zone",
                )
            },
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Help desk"), {"fields": ("role", "tier", "organisation", "is_vip")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return tuple(
            (title, {**opts, "fields": [f for f in opts["fields"] if f not in SUPERUSER_FIELDS]})
            for title, opts in fieldsets
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            readonly += sorted(OWN_PRIVILEGE_FIELDS - set(SUPERUSER_FIELDS))
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and not can_administer(actor=request.user, user=obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not can_administer(actor=request.user, user=obj):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        if not request.user.is_superuser:
            queryset = queryset.exclude(is_superuser=True)
        super().delete_queryset(request, queryset)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens by name and first characters only: the keys themselves are never stored."""

    list_display = ["name", "user", "prefix", "created_at", "expires_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username"]
    fields = ["user", "name", "prefix", "created_at", "expires_at", "last_used_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not can_administer(actor=request.user, user=obj.user):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _revocable(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        return queryset.exclude(user__is_superuser=True)

    @admin.action(description=_("Revoke selected tokens"), permissions=["delete"])
    def revoke(self, request, queryset):
        count = api_tokens_revoke(
            tokens=self._revocable(request, queryset), reason="revoked in the admin"
        )
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": count})

    def delete_model(self, request, obj):
        api_tokens_revoke(tokens=ApiToken.objects.filter(pk=obj.pk), reason="revoked in the admin")

    def delete_queryset(self, request, queryset):
        api_tokens_revoke(tokens=self._revocable(request, queryset), reason="revoked in the admin")


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The audit log: read-only, filterable, downloadable as CSV (the current filter)."""

    list_display = ["created_at", "kind", "actor", "subject", "username", "address", "path"]
    list_filter = ["kind", "created_at"]
    list_select_related = ["actor", "subject"]
    search_fields = ["username", "actor__username", "subject__username", "address", "detail"]
    date_hierarchy = "created_at"
    change_list_template = "admin/accounts/securityevent/change_list.html"
    fields = [
        "created_at", "kind", "actor", "subject", "username", "address", "path", "detail"
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        export = self.admin_site.admin_view(self.export_csv)
        return [
            path("export.csv", export, name="accounts_securityevent_export"),
            *super().get_urls(),
        ]

    def export_csv(self, request):
        from django.core.exceptions import PermissionDenied

        from reports.csv_export import csv_response

        if not self.has_view_permission(request):
            raise PermissionDenied
        events = self.get_changelist_instance(request).get_queryset(request)
        columns = ["created_at", "kind", "actor", "subject", "username", "address", "path"]
        rows = (
            {
                "created_at": e.created_at.isoformat(),
                "kind": e.kind,
                "actor": e.actor.username if e.actor else "",
                "subject": e.subject.username if e.subject else "",
                "username": e.username,
                "address": e.address or "",
                "path": e.path,
                "detail": e.detail,
            }
            for e in events.iterator(chunk_size=2000)
        )
        return csv_response(
            filename="security-events.csv", fieldnames=[*columns, "detail"], rows=rows
        )
