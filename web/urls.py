from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tickets/<str:reference>/", views.ticket_detail, name="ticket-detail"),
    path(
        "tickets/<str:reference>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment-download",
    ),
]
