"""Managers register webhooks, read their deliveries' attempts, redeliver, rotate secrets."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from ...models import Webhook, WebhookAttempt, WebhookDelivery
from ...webhooks import services
from ..serializers.webhooks import (
    WebhookCreatedSerializer,
    WebhookDeliverySerializer,
    WebhookSerializer,
)
from .manage import ManagerViewSet

TAGS = ["webhooks"]


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS),
    partial_update=extend_schema(tags=TAGS),
    destroy=extend_schema(tags=TAGS),
)
class WebhookViewSet(ManagerViewSet):
    serializer_class = WebhookSerializer
    queryset = Webhook.objects.order_by("id")

    @extend_schema(tags=TAGS, responses={201: WebhookCreatedSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        data = WebhookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hook = services.webhook_create(actor=request.user, **data.validated_data)
        return Response(WebhookCreatedSerializer(hook).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer) -> None:
        services.webhook_update(webhook=serializer.instance, data=serializer.validated_data)

    @extend_schema(tags=TAGS, request=None, responses={200: WebhookCreatedSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk=None) -> Response:
        hook = services.webhook_rotate_secret(webhook=self.get_object())
        return Response(WebhookCreatedSerializer(hook).data)

    @extend_schema(tags=TAGS, responses={200: WebhookDeliverySerializer(many=True)})
    @action(detail=True, methods=["get"], serializer_class=WebhookDeliverySerializer)
    def deliveries(self, request: Request, pk=None) -> Response:
        hook = self.get_object()
        rows = WebhookDelivery.objects.filter(webhook=hook).prefetch_related(
            Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number"))
        )
        page = self.paginate_queryset(rows.order_by("-created_at", "-id"))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(tags=TAGS, request=None, responses={202: WebhookDeliverySerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<delivery_id>[0-9]{1,18})/redeliver",
        serializer_class=WebhookDeliverySerializer,
    )
    def redeliver(self, request: Request, pk=None, delivery_id=None) -> Response:
        """Send the same event again as a new delivery (e.g. after fixing the receiver)."""
        hook = self.get_object()
        original = get_object_or_404(WebhookDelivery, pk=delivery_id, webhook=hook)
        delivery = services.webhook_redeliver(delivery=original)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
