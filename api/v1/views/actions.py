"""One view per ticket action, each a POST through the same service as the UI."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from tickets import services
from tickets.downloads import attachment_download
from tickets.expected import NOT_GIVEN
from tickets.models import Ticket
from tickets.selectors import ticket_attachments, ticket_events, ticket_replies

from ..idempotency import PARAMETER as IDEMPOTENCY_KEY
from ..idempotency import idempotent
from ..permissions import IsSupportStaff
from ..renderers import FileRenderer
from ..serializers import tickets as s
from ..throttles import ReplyCreateUserThrottle
from .base import TicketActionView
from .tickets import ticket_response


def _valid(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TicketChangeApi(TicketActionView):
    """Answers the ticket as it is after the change, as GET /tickets/{id}/ shows it; a
    ticket the caller cannot see is 404."""

    # Each action: the body checked by `input_serializer`, then one service in `change`.

    serializer_class = s.TicketDetailSerializer
    input_serializer: type[Serializer]

    def post(self, request: Request, ticket_id: int) -> Response:
        values = _valid(self.input_serializer, request)
        return ticket_response(request, self.change(values))

    def change(self, values: dict) -> Ticket:
        raise NotImplementedError


@extend_schema(tags=["ticket actions"])
class TicketRepliesApi(TicketActionView):
    """The conversation (customers never get internal notes); POST adds a reply or note."""

    serializer_class = s.ReplySerializer
    throttle_classes = [ReplyCreateUserThrottle]

    @extend_schema(operation_id="tickets_replies_list", responses=s.ReplySerializer(many=True))
    def get(self, request: Request, ticket_id: int) -> Response:
        replies = ticket_replies(ticket=self.get_ticket(), user=request.user)
        page = self.paginate_queryset(replies)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=s.ReplyCreateSerializer,
        responses={201: s.ReplySerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        return idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        values = _valid(s.ReplyCreateSerializer, request)
        reply = services.ticket_reply(
            ticket=self.get_ticket(),
            author=request.user,
            body=values["body"],
            internal=values["internal"],
        )
        return Response(self.get_serializer(reply).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["ticket actions"], request=s.AssignSerializer)
class TicketAssignApi(TicketChangeApi):
    input_serializer = s.AssignSerializer

    def change(self, values: dict) -> Ticket:
        user = self.request.user
        ticket = self.get_ticket()
        return services.ticket_assign(
            ticket=ticket,
            actor=user,
            assignee=services.assignee_named(
                ticket=ticket, actor=user, assignee_id=values["assignee"]
            ),
            expected_assignee=values.get("expected_assignee", NOT_GIVEN),
        )


@extend_schema(tags=["ticket actions"], request=s.AcknowledgeSerializer)
class TicketAcknowledgeApi(TicketChangeApi):
    input_serializer = s.AcknowledgeSerializer

    def change(self, values: dict) -> Ticket:
        return services.ticket_acknowledge(
            ticket=self.get_ticket(), actor=self.request.user, message=values["message"]
        )


@extend_schema(
    tags=["ticket actions"],
    request=s.StatusSerializer,
    description="Move the ticket along the state machine; an illegal move answers 409.",
)
class TicketStatusApi(TicketChangeApi):
    input_serializer = s.StatusSerializer

    def change(self, values: dict) -> Ticket:
        return services.ticket_change_status(
            ticket=self.get_ticket(),
            actor=self.request.user,
            status=values["status"],
            expected_status=values.get("expected_status"),
        )


@extend_schema(tags=["ticket actions"], request=s.PrioritySerializer)
class TicketPriorityApi(TicketChangeApi):
    input_serializer = s.PrioritySerializer

    def change(self, values: dict) -> Ticket:
        return services.ticket_change_priority(
            ticket=self.get_ticket(), actor=self.request.user, priority=values["priority"]
        )


@extend_schema(tags=["ticket actions"], request=s.RateSerializer)
class TicketRateApi(TicketChangeApi):
    input_serializer = s.RateSerializer

    def change(self, values: dict) -> Ticket:
        return services.ticket_rate(
            ticket=self.get_ticket(),
            actor=self.request.user,
            rating=values["rating"],
            comment=values.get("comment", ""),
        )


@extend_schema(tags=["ticket actions"])
class TicketAttachmentsApi(TicketActionView):
    """Files of the ticket (customers never get those of internal notes); POST uploads."""

    serializer_class = s.AttachmentSerializer
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="tickets_attachments_list", responses=s.AttachmentSerializer(many=True)
    )
    def get(self, request: Request, ticket_id: int) -> Response:
        attachments = ticket_attachments(ticket=self.get_ticket(), user=request.user)
        page = self.paginate_queryset(attachments)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer(many=True)},
    )
    def post(self, request: Request, ticket_id: int) -> Response:
        ticket = self.get_ticket()
        attachments = services.ticket_add_attachments(
            ticket=ticket, uploader=request.user, files=request.FILES.getlist("files")
        )
        data = s.AttachmentSerializer(attachments, many=True).data
        return Response(data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["ticket actions"])
class TicketAttachmentDownloadApi(TicketActionView):
    renderer_classes = [JSONRenderer, FileRenderer]

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            )
        }
    )
    def get(self, request: Request, ticket_id: int, attachment_id: int) -> FileResponse:
        return attachment_download(
            user=request.user, ticket_id=int(ticket_id), attachment_id=attachment_id
        )


@extend_schema(tags=["ticket actions"])
class TicketEventsApi(TicketActionView):
    """The ticket's history, SLA and escalation included; customers get no internal events."""

    serializer_class = s.EventSerializer

    @extend_schema(operation_id="tickets_events_list", responses=s.EventSerializer(many=True))
    def get(self, request: Request, ticket_id: int) -> Response:
        events = ticket_events(ticket=self.get_ticket(), user=request.user)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    tags=["ticket actions"],
    request=s.EscalateSerializer,
    description="Hand the ticket to the next tier; the handoff note is required.",
)
class TicketEscalateApi(TicketChangeApi):
    input_serializer = s.EscalateSerializer

    def change(self, values: dict) -> Ticket:
        from escalation.services.manual import ticket_escalate

        return ticket_escalate(
            ticket=self.get_ticket(),
            actor=self.request.user,
            handoff_note=values["handoff_note"],
            expected_tier=values["expected_tier"],
        ).ticket


@extend_schema(tags=["ticket actions"], request=s.DeescalateSerializer)
class TicketDeescalateApi(TicketChangeApi):
    input_serializer = s.DeescalateSerializer

    def change(self, values: dict) -> Ticket:
        from escalation.services.manual import ticket_deescalate

        return ticket_deescalate(
            ticket=self.get_ticket(),
            actor=self.request.user,
            tier=values["tier"],
            reason=values["reason"],
            expected_tier=values["expected_tier"],
        ).ticket


@extend_schema(tags=["ticket actions"])
class TicketEscalationsApi(TicketActionView):
    """Who or what moved the ticket between tiers, and why (staff only)."""

    serializer_class = s.EscalationSerializer
    permission_classes = [IsSupportStaff]

    @extend_schema(
        operation_id="tickets_escalations_list", responses=s.EscalationSerializer(many=True)
    )
    def get(self, request: Request, ticket_id: int) -> Response:
        from escalation.selectors import ticket_escalations

        page = self.paginate_queryset(ticket_escalations(ticket=self.get_ticket()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
