from django.urls import path

from . import views
from .views import detail

urlpatterns = [
    path("", views.home, name="home"),
    path("queue/", views.queue, name="queue"),
    path("dashboard/", views.dashboard, name="dashboard"),
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
    path("tickets/<str:reference>/files/", detail.ticket_add_files, name="ticket-add-files"),
    path(
        "tickets/<str:reference>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment-download",
    ),
]
