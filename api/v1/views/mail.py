"""Managers configure mailboxes (through mailbox_save) and read what the desk took in."""

from __future__ import annotations

import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from mail.models import InboundMail, Mailbox, Outcome
from mail.services.mailboxes import mailbox_save

from ..filters import MAX_ID, IdFilter
from ..permissions import IsManager
from ..serializers.mail import InboundMailSerializer, MailboxSerializer
from .base import StrictQueryMixin
from .manage import ManagerViewSet

TAGS = ["mail"]


@extend_schema_view(
    list=extend_schema(tags=TAGS),
    create=extend_schema(tags=TAGS),
    retrieve=extend_schema(tags=TAGS),
    partial_update=extend_schema(tags=TAGS),
    destroy=extend_schema(tags=TAGS),
)
class MailboxViewSet(ManagerViewSet):
    serializer_class = MailboxSerializer
    queryset = Mailbox.objects.order_by("name", "id")

    def create(self, request: Request, *args, **kwargs) -> Response:
        data = MailboxSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        password = values.pop("password", None)
        box = mailbox_save(actor=request.user, password=password, **values)
        return Response(MailboxSerializer(box).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer) -> None:
        values = dict(serializer.validated_data)
        password = values.pop("password", None)
        serializer.instance = mailbox_save(
            actor=self.request.user, mailbox=serializer.instance, password=password, **values
        )


class InboundMailFilter(django_filters.FilterSet):
    outcome = django_filters.ChoiceFilter(choices=Outcome.choices)
    mailbox = IdFilter(field_name="mailbox_id", min_value=1, max_value=MAX_ID)

    class Meta:
        model = InboundMail
        fields: list[str] = []


@extend_schema_view(list=extend_schema(tags=TAGS), retrieve=extend_schema(tags=TAGS))
class InboundMailViewSet(StrictQueryMixin, viewsets.ReadOnlyModelViewSet):
    """Every mail taken in, with its outcome; `?outcome=quarantined` is the quarantine."""

    permission_classes = [IsManager]
    serializer_class = InboundMailSerializer
    queryset = InboundMail.objects.order_by("-received_at", "-id")
    filter_backends = [DjangoFilterBackend]
    filterset_class = InboundMailFilter
    lookup_value_regex = "[0-9]{1,18}"
