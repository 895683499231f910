"""The caller's notices (the in-app list's rows) and their choices: thin views over the
escalation selectors and services. Only the caller's own rows exist here (others': 404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from common.errors import NotFound, field_error
from escalation.models import MailMode, Notification
from escalation.selectors import (
    UNREAD_CAP,
    inbox,
    inbox_get,
    mail_mode,
    notice_choices,
    notice_kinds,
    unread_count,
)
from escalation.services.inbox import notifications_mark_read
from escalation.services.preferences import Choice, notification_preferences_set

from ..serializers import notifications as s
from .base import ApiView


class NoticeCursor(CursorPagination):
    """Keyset pages, newest first: no count, as cheap deep in the list as at its head."""

    ordering = ("-created_at", "-id")
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100
    page_query_param = "cursor"  # what StrictQueryMixin allows


def _notice(request: Request, notification_id: int) -> Notification:
    try:
        return inbox_get(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist as error:
        raise NotFound(_("No such notification.")) from error


@extend_schema(
    tags=["notifications"],
    parameters=[OpenApiParameter("unread", bool, description="Only unread notices.")],
)
class NotificationListApi(ApiView):
    """The caller's notices, newest first (the same rows as the in-app list)."""

    serializer_class = s.NotificationSerializer
    pagination_class = NoticeCursor
    extra_query_params = ("unread",)

    def get_queryset(self) -> QuerySet[Notification]:
        rows = inbox(user=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            rows = rows.filter(read_at__isnull=True)
        return rows

    @extend_schema(operation_id="notifications_list", responses=s.NotificationSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["notifications"], responses=s.UnreadCountSerializer)
class NotificationUnreadCountApi(ApiView):
    """How many of the caller's notices are unread (what the page header shows)."""

    pagination_class = None

    def get(self, request: Request) -> Response:
        count = unread_count(user=request.user)
        return Response(
            {"unread": min(count, UNREAD_CAP + 1), "capped": count > UNREAD_CAP, "cap": UNREAD_CAP}
        )


@extend_schema(
    tags=["notifications"],
    request=None,
    responses=s.NotificationSerializer,
)
class NotificationReadApi(ApiView):
    """Mark one of the caller's notices read."""

    pagination_class = None

    @extend_schema(operation_id="notification_read")
    def post(self, request: Request, notification_id: int) -> Response:
        notice = _notice(request, notification_id)
        notifications_mark_read(user=request.user, ids=[notice.pk])
        notice = _notice(request, notification_id)
        return Response(s.NotificationSerializer(notice).data)


@extend_schema(
    tags=["notifications"],
    request=None,
    responses=s.MarkedSerializer,
)
class NotificationReadAllApi(ApiView):
    """Mark every notice of the caller read."""

    pagination_class = None

    @extend_schema(operation_id="notifications_read_all")
    def post(self, request: Request) -> Response:
        return Response({"marked": notifications_mark_read(user=request.user)})


def _preferences(user) -> dict:
    return {
        "mail_mode": mail_mode(user=user),
        "kinds": [choice._asdict() for choice in notice_choices(user=user)],
    }


@extend_schema(tags=["notifications"])
class NotificationPreferencesApi(ApiView):
    """How the caller is told, per kind and channel (as on the profile page); PUT changes
    the kinds it lists (and, for staff, the e-mail rhythm), all or nothing."""

    pagination_class = None
    serializer_class = s.NotificationPreferencesSerializer

    def get(self, request: Request) -> Response:
        return Response(_preferences(request.user))

    def put(self, request: Request) -> Response:
        serializer = s.NotificationPreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        user = request.user
        mode = values.get("mail_mode")
        if mode is not None and not user.is_support_staff and mode != MailMode.IMMEDIATE:
            raise field_error("mail_mode", _("Customers get one e-mail per message."))
        offered = set(notice_kinds(user=user))
        choices = [Choice(c["kind"], c["mail"], c["in_app"]) for c in values.get("kinds", [])]
        for choice in choices:
            if choice.kind not in offered:
                raise field_error("kinds", _("You are never sent “%s” notices.") % choice.kind)
        notification_preferences_set(
            user=user, choices=choices, mail_mode=mode if user.is_support_staff else None
        )
        return Response(_preferences(user))
