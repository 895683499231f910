from django.urls import include, path

from . import views
from .views import account, bulk, desk, detail, macros, notifications, profile, queue_views

urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("macros/", macros.macros_page, name="macros"),
    path("macros/<int:macro_id>/delete/", macros.macro_remove, name="macro-delete"),
    path("queue/views/save/", queue_views.queue_view_save, name="queue-view-save"),
    path(
        "queue/views/<int:view_id>/delete/", queue_views.queue_view_delete, name="queue-view-delete"
    ),
    path("queue/bulk/", bulk.queue_bulk, name="queue-bulk"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("account/profile/", profile.profile, name="profile"),
    path("language/", profile.language_switch, name="language-switch"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/read/", notifications.notifications_read_all, name="notifications-read-all"
    ),
    path(
        "notifications/<int:notification_id>/",
        notifications.notification_open,
        name="notification-open",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        notifications.notification_read,
        name="notification-read",
    ),
    path("account/tokens/", account.api_tokens, name="api-tokens"),
    path(
        "account/tokens/<str:token_id>/revoke/", account.api_token_revoke, name="api-token-revoke"
    ),
    path("tickets/new/", views.ticket_new, name="ticket-new"),
    path("tickets/preview/", views.markdown_preview, name="markdown-preview"),
    path("tickets/<str:reference>/", views.ticket_detail, name="ticket-detail"),
    path("tickets/<str:reference>/reply/", detail.ticket_reply, name="ticket-reply"),
    path("tickets/<str:reference>/status/", detail.ticket_status, name="ticket-status"),
    path("tickets/<str:reference>/priority/", detail.ticket_priority, name="ticket-priority"),
    path("tickets/<str:reference>/claim/", detail.ticket_claim, name="ticket-claim"),
    path("tickets/<str:reference>/assign/", detail.ticket_assign, name="ticket-assign"),
    path(
        "tickets/<str:reference>/acknowledge/",
        detail.ticket_acknowledge,
        name="ticket-acknowledge",
    ),
    path("tickets/<str:reference>/escalate/", detail.ticket_escalate, name="ticket-escalate"),
    path("tickets/<str:reference>/deescalate/", detail.ticket_deescalate, name="ticket-deescalate"),
    path("tickets/<str:reference>/rate/", detail.ticket_rate, name="ticket-rate"),
    path("tickets/<str:reference>/reopen/", detail.ticket_reopen, name="ticket-reopen"),
    path("tickets/<str:reference>/files/", detail.ticket_add_files, name="ticket-add-files"),
    path(
        "tickets/<str:reference>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment-download",
    ),
    path("tickets/<str:reference>/watchers/add/", desk.watcher_add, name="ticket-watcher-add"),
    path(
        "tickets/<str:reference>/watchers/remove/",
        desk.watcher_remove,
        name="ticket-watcher-remove",
    ),
    path("tickets/<str:reference>/links/add/", desk.ticket_link, name="ticket-link"),
    path("tickets/<str:reference>/links/remove/", desk.ticket_unlink, name="ticket-unlink"),
    path("tickets/<str:reference>/merge/", desk.ticket_merge, name="ticket-merge"),
    path("tickets/<str:reference>/tags/", desk.ticket_tags, name="ticket-tags"),
    path("tickets/<str:reference>/presence/", desk.ticket_presence, name="ticket-presence"),
    path("tickets/<str:reference>/macros/apply/", desk.macro_apply, name="ticket-macro-apply"),
    path(
        "tickets/<str:reference>/macros/<int:macro_id>/",
        desk.macro_preview,
        name="ticket-macro-preview",
    ),
    path("", include("knowledge.urls")),
    path("", include("releases.urls")),
]
