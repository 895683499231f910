"""One action on many tickets: POST /api/v1/tickets/bulk/ (the queue's bulk actions)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from escalation.services.bulk_actions import ACTIONS, MAX_TICKETS, tickets_bulk_action

from ..permissions import IsSupportStaff
from .base import ApiView


class BulkActionSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=MAX_TICKETS,
    )
    action = serializers.ChoiceField(choices=ACTIONS)
    all_or_nothing = serializers.BooleanField(required=False, default=False)
    assignee = serializers.IntegerField(required=False, allow_null=True, help_text="assign")
    status = serializers.CharField(required=False, help_text="status")
    priority = serializers.CharField(required=False, help_text="priority")
    body = serializers.CharField(required=False, help_text="note (internal)", trim_whitespace=False)
    handoff_note = serializers.CharField(required=False, help_text="escalate")
    tier = serializers.CharField(required=False, help_text="deescalate")
    reason = serializers.CharField(required=False, help_text="deescalate")


RESULTS = inline_serializer(
    "BulkActionResults",
    {
        "results": inline_serializer(
            "BulkActionResult",
            {
                "id": serializers.IntegerField(),
                "ok": serializers.BooleanField(),
                "code": serializers.CharField(required=False),
                "detail": serializers.CharField(required=False),
            },
            many=True,
        )
    },
)


@extend_schema(tags=["ticket actions"], request=BulkActionSerializer, responses={200: RESULTS})
class TicketBulkApi(ApiView):
    """Apply one action to up to 500 tickets; one result per id (`not_found` for tickets
    the caller cannot see; the single action's code for a refused ticket)."""

    permission_classes = [IsSupportStaff]
    serializer_class = BulkActionSerializer

    def post(self, request: Request) -> Response:
        serializer = BulkActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        results = tickets_bulk_action(
            actor=request.user,
            ids=values.pop("ids"),
            action=values.pop("action"),
            all_or_nothing=values.pop("all_or_nothing"),
            data=values,
        )
        return Response({"results": [r.as_dict() for r in results]})
