"""Ticket list, filing and detail: thin views over the ticket selectors and services."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from common.errors import field_error
from sla.selectors import applied_agreement
from tickets.markdown import render_markdown
from tickets.models import Category, Ticket
from tickets.priority import priority_for
from tickets.selectors import ticket_rows
from tickets.services import ticket_create

from ..filters import TicketFilter, TicketFilterBackend
from ..idempotency import PARAMETER as IDEMPOTENCY_KEY
from ..idempotency import idempotent
from ..pagination import TicketPagination
from ..serializers.tickets import TicketCreateSerializer, TicketDetailSerializer, TicketSerializer
from ..throttles import TicketCreateIpThrottle, TicketCreateUserThrottle
from .base import StrictQueryMixin, TicketActionView


def handoff_context(*, ticket: Ticket, user: User) -> dict:
    """For staff: the hand-off note pinned for the ticket's tier and the whole chain, oldest
    first (None for customers or without the escalation app)."""
    if not user.is_support_staff:
        return {"handoff_note": None, "handoff_chain": None}
    try:
        from escalation.selectors import handoff_chain, pinned_handoff
    except ImportError:
        return {"handoff_note": None, "handoff_chain": None}
    chain = handoff_chain(ticket=ticket)
    pinned = pinned_handoff(ticket=ticket, chain=chain)
    return {
        "handoff_note": pinned.note if pinned else None,
        "handoff_chain": [
            {
                "id": step.pk,
                "kind": step.kind,
                "from_tier": step.from_tier,
                "to_tier": step.to_tier,
                "actor": step.actor,
                "note": step.note,
                "note_html": render_markdown(step.note),
                "pinned": step is pinned,
                "created": step.created_at,
            }
            for step in chain
        ],
    }


def ticket_response(request: Request, ticket: Ticket, *, code: int = 200) -> Response:
    agreement = applied_agreement(ticket)
    context = {
        "request": request,
        **handoff_context(ticket=ticket, user=request.user),
        "agreement": agreement.name if agreement else None,
    }
    return Response(TicketDetailSerializer(ticket, context=context).data, status=code)


@extend_schema(tags=["tickets"])
class TicketListApi(StrictQueryMixin, generics.ListCreateAPIView):
    """Tickets the caller may see, exactly as in the UI; POST files a new one."""

    serializer_class = TicketSerializer
    filter_backends = [TicketFilterBackend]
    filterset_class = TicketFilter
    pagination_class = TicketPagination
    throttle_classes = [TicketCreateUserThrottle, TicketCreateIpThrottle]

    def get_queryset(self) -> QuerySet[Ticket]:
        # The SLA status of each row is worked out from its columns as it is serialized
        # (sla.selectors.ticket_sla_status, the rule of the annotation): no CASE per row.
        return ticket_rows(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        request=TicketCreateSerializer,
        responses={201: TicketDetailSerializer},
        parameters=[IDEMPOTENCY_KEY],
        description=(
            "File a ticket. Only subject, description, priority (customers: P2–P4), "
            "impact+urgency, category and (staff only) requester are read; tier, status, "
            "assignee and everything else in the body are ignored."
        ),
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        return idempotent(request, lambda: self._create(request))

    def _create(self, request: Request) -> Response:
        data = TicketCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        requester = request.user
        if values.get("requester") and values["requester"] != request.user.pk:
            if not request.user.is_support_staff:
                raise field_error(
                    "requester", "Only staff can file a ticket on someone else's behalf."
                )
            requester = User.objects.filter(pk=values["requester"], is_active=True).first()
            if requester is None:
                raise field_error("requester", "No such active user.")
        priority = values.get("priority")
        if "impact" in values:
            priority = priority_for(impact=values["impact"], urgency=values["urgency"])
        ticket = ticket_create(
            requester=requester,
            actor=request.user,
            subject=values["subject"],
            description=values["description"],
            category_id=values.get("category") or None,
            priority=priority,
        )
        return ticket_response(request, ticket, code=status.HTTP_201_CREATED)


@extend_schema(tags=["tickets"])
class TicketDetailApi(TicketActionView):
    serializer_class = TicketDetailSerializer

    def get(self, request: Request, ticket_id: int) -> Response:
        return ticket_response(request, self.get_ticket())


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name"]
        read_only_fields = fields


@extend_schema(tags=["tickets"])
class CategoryListApi(StrictQueryMixin, generics.ListAPIView):
    """Categories to file a ticket under (`category` on POST /tickets/)."""

    serializer_class = CategorySerializer
    queryset = Category.objects.order_by("name", "id")
