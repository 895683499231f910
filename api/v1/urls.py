"""Routes of /api/v1/."""

from django.urls import path, register_converter
from rest_framework.routers import SimpleRouter

from .views import (
    actions,
    auth,
    bulk,
    desk,
    knowledge,
    mail,
    manage,
    notifications,
    releases,
    tickets,
    webhooks,
)


class IdConverter:
    """Ids as in the database: a bigint's digits, so /tickets/99999999999999999999/ is a 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

router = SimpleRouter()
router.register("organisations", manage.OrganisationViewSet, basename="organisation")
router.register("users", manage.UserViewSet, basename="user")
router.register("calendars", manage.CalendarViewSet, basename="calendar")
router.register("agreements", manage.AgreementViewSet, basename="agreement")
router.register("escalation-rules", manage.EscalationRuleViewSet, basename="escalation-rule")
router.register("webhooks", webhooks.WebhookViewSet, basename="webhook")
router.register("mailboxes", mail.MailboxViewSet, basename="mailbox")
router.register("received-mails", mail.InboundMailViewSet, basename="received-mail")

T = "tickets/<id:ticket_id>/"
urlpatterns = [
    path("auth/token/", auth.TokenApi.as_view(), name="token"),
    path("auth/tokens/", auth.TokenListApi.as_view(), name="token-list"),
    path("auth/tokens/<id:token_id>/", auth.TokenDetailApi.as_view(), name="token-detail"),
    path("categories/", tickets.CategoryListApi.as_view(), name="category-list"),
    path("notifications/", notifications.NotificationListApi.as_view(), name="notification-list"),
    path(
        "notifications/unread-count/",
        notifications.NotificationUnreadCountApi.as_view(),
        name="notification-unread-count",
    ),
    path(
        "notifications/read/",
        notifications.NotificationReadAllApi.as_view(),
        name="notification-read-all",
    ),
    path(
        "notifications/preferences/",
        notifications.NotificationPreferencesApi.as_view(),
        name="notification-preferences",
    ),
    path(
        "notifications/<id:notification_id>/read/",
        notifications.NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path("tickets/", tickets.TicketListApi.as_view(), name="ticket-list"),
    path("tickets/bulk/", bulk.TicketBulkApi.as_view(), name="ticket-bulk"),
    path(T, tickets.TicketDetailApi.as_view(), name="ticket-detail"),
    path(f"{T}replies/", actions.TicketRepliesApi.as_view(), name="ticket-replies"),
    path(f"{T}assign/", actions.TicketAssignApi.as_view(), name="ticket-assign"),
    path(f"{T}acknowledge/", actions.TicketAcknowledgeApi.as_view(), name="ticket-acknowledge"),
    path(f"{T}status/", actions.TicketStatusApi.as_view(), name="ticket-status"),
    path(f"{T}priority/", actions.TicketPriorityApi.as_view(), name="ticket-priority"),
    path(f"{T}rate/", actions.TicketRateApi.as_view(), name="ticket-rate"),
    path(f"{T}escalate/", actions.TicketEscalateApi.as_view(), name="ticket-escalate"),
    path(f"{T}deescalate/", actions.TicketDeescalateApi.as_view(), name="ticket-deescalate"),
    path(f"{T}escalations/", actions.TicketEscalationsApi.as_view(), name="ticket-escalations"),
    path(f"{T}events/", actions.TicketEventsApi.as_view(), name="ticket-events"),
    path(f"{T}attachments/", actions.TicketAttachmentsApi.as_view(), name="ticket-attachments"),
    path(
        f"{T}attachments/<id:attachment_id>/",
        actions.TicketAttachmentDownloadApi.as_view(),
        name="ticket-attachment-download",
    ),
    path(f"{T}merge/", desk.TicketMergeApi.as_view(), name="ticket-merge"),
    path(f"{T}links/", desk.TicketLinksApi.as_view(), name="ticket-links"),
    path(f"{T}watchers/", desk.TicketWatchersApi.as_view(), name="ticket-watchers"),
    path(
        f"{T}watchers/<id:user_id>/",
        desk.TicketWatcherRemoveApi.as_view(),
        name="ticket-watcher-remove",
    ),
    path(f"{T}links/<id:other_id>/", desk.TicketLinkRemoveApi.as_view(), name="ticket-link-remove"),
    path(f"{T}tags/", desk.TicketTagsApi.as_view(), name="ticket-tags"),
    path(
        f"{T}macros/<id:macro_id>/apply/",
        desk.TicketMacroApplyApi.as_view(),
        name="ticket-macro-apply",
    ),
    path("macros/", desk.MacroListApi.as_view(), name="macro-list"),
    path("tags/", desk.TagListApi.as_view(), name="tag-list"),
    path("sla/dashboard/", manage.DashboardApi.as_view(), name="sla-dashboard"),
    path("knowledge/", knowledge.ArticleListApi.as_view(), name="article-list"),
    path(
        "knowledge/suggestions/",
        knowledge.ArticleSuggestionsApi.as_view(),
        name="article-suggestions",
    ),
    path("knowledge/<id:article_id>/", knowledge.ArticleDetailApi.as_view(), name="article-detail"),
    path(
        "knowledge/<id:article_id>/publish/",
        knowledge.ArticlePublishApi.as_view(),
        name="article-publish",
    ),
    path(
        "knowledge/<id:article_id>/deflect/",
        knowledge.ArticleDeflectApi.as_view(),
        name="article-deflect",
    ),
    path(
        "knowledge/<id:article_id>/solved/",
        knowledge.ArticleLinkTicketApi.as_view(),
        name="article-link-ticket",
    ),
    path("releases/", releases.ReleaseListApi.as_view(), name="release-list"),
    path("releases/<id:release_id>/", releases.ReleaseDetailApi.as_view(), name="release-detail"),
    path(
        "releases/<id:release_id>/publish/",
        releases.ReleasePublishApi.as_view(),
        name="release-publish",
    ),
    path("problems/", knowledge.ProblemListApi.as_view(), name="problem-list"),
    path("problems/<id:problem_id>/", knowledge.ProblemDetailApi.as_view(), name="problem-detail"),
    path(
        "problems/<id:problem_id>/tickets/",
        knowledge.ProblemTicketsApi.as_view(),
        name="problem-tickets",
    ),
    *router.urls,
]
