from django.contrib import admin

from common.admin import ReadOnlyAdminMixin

from .models import Attachment, Category, Reply, Ticket, TicketEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class ReplyInline(admin.TabularInline):
    model = Reply
    extra = 0
    fields = ["author", "internal", "body", "created_at"]
    readonly_fields = ["author", "internal", "body", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-mostly: ticket changes go through the services (UI/API) to keep events and SLAs."""

    list_display = [
        "id",
        "subject",
        "status",
        "priority",
        "tier",
        "requester",
        "assignee",
        "created_at",
    ]
    list_filter = ["status", "priority", "tier", "is_vip", "sla_breached"]
    list_select_related = ["requester", "assignee"]
    search_fields = ["subject"]
    raw_id_fields = ["requester", "assignee", "organisation"]
    readonly_fields = [
        "status",
        "tier",
        "priority",
        "assignee",
        "requester",
        "organisation",
        "response_due_at",
        "resolution_due_at",
        "sla_breached",
        "sla_paused",
        "resolved_at",
        "closed_at",
        "first_response_at",
        "created_at",
        "updated_at",
    ]
    inlines = [ReplyInline]
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["filename", "ticket", "content_type", "size", "uploaded_by", "created_at"]
    raw_id_fields = ["ticket", "reply", "uploaded_by"]
    readonly_fields = ["file", "filename", "content_type", "size", "created_at"]


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["ticket", "actor"]
    show_full_result_count = False
