"""Admin: managers edit the rules; records and the outbox are read-only history."""

from django.contrib import admin

from common.admin import ReadOnlyAdminMixin

from .models import Escalation, EscalationRule, Notification, NotificationPreference


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    list_display = [
        "order",
        "name",
        "trigger",
        "tier",
        "priority",
        "move_to_next_tier",
        "raise_priority",
        "assign_to",
        "active",
    ]
    list_display_links = ["name"]
    list_editable = ["order", "active"]
    list_filter = ["trigger", "tier", "active"]
    raw_id_fields = ["assign_to"]
    fieldsets = [
        (None, {"fields": ["name", "active", "order"]}),
        ("When", {"fields": ["trigger", "tier", "priority"]}),
        ("Do", {"fields": ["move_to_next_tier", "raise_priority", "assign_to"]}),
        (
            "Notify",
            {
                "fields": [
                    "notify_assignee",
                    "notify_tier_group",
                    "notify_team_lead",
                    "notify_manager",
                    "notify_requester",
                ]
            },
        ),
    ]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "ticket", "kind", "from_tier", "to_tier", "actor", "clock"]
    list_filter = ["kind", "from_tier", "to_tier"]
    list_select_related = ["ticket", "actor", "clock"]
    raw_id_fields = ["ticket", "actor", "clock"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "ticket",
        "mail",
        "digest",
        "sent_at",
        "read_at",
        "attempts",
    ]
    list_filter = ["kind", "mail", "digest", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["recipient", "ticket"]
    raw_id_fields = ["recipient", "ticket"]
    search_fields = ["subject", "cause_key"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "mail", "in_app"]
    list_filter = ["kind", "mail", "in_app"]
    raw_id_fields = ["user"]
