from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "created_at"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
