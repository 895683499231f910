from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

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
    """Files have no URL (they live outside the web root): the page links the download view,
    which checks access like everywhere else. Files arrive through the checked upload paths
    only, so the admin adds none and changes none; deleting one stays possible."""

    list_display = ["filename", "ticket", "content_type", "size", "uploaded_by", "created_at"]
    list_select_related = ["ticket", "uploaded_by"]
    fields = ["ticket", "reply", "uploaded_by", "download", "content_type", "size", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("file"))
    def download(self, obj: Attachment) -> str:
        url = reverse("attachment-download", args=[obj.ticket.reference, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.filename)


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["ticket", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["ticket", "actor"]
    show_full_result_count = False
