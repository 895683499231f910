"""Ticket representations. Staff-only facts are blanked for customers, never leaked."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Tier
from sla.selectors import ticket_sla_status
from tickets.models import Attachment, Priority, Reply, Status, Ticket, TicketEvent
from tickets.priority import CUSTOMER_PRIORITIES, Level

from .people import OrganisationRefSerializer, UserRefSerializer, user_ref


def _is_staff(context) -> bool:
    request = context.get("request")
    return bool(request and request.user.is_authenticated and request.user.is_support_staff)


class TicketSerializer(serializers.ModelSerializer):
    """A ticket as its caller may see it.

    Customers see status, priority, tier and SLA deadlines of their tickets;
    `assignee` (who works it) and `is_vip` are staff-only and are null for
    them; `is_assigned` tells everyone whether somebody took the ticket.
    """

    reference = serializers.CharField(read_only=True)
    requester = UserRefSerializer(read_only=True)
    organisation = OrganisationRefSerializer(read_only=True, allow_null=True)
    assignee = serializers.SerializerMethodField()
    is_assigned = serializers.SerializerMethodField()
    is_vip = serializers.SerializerMethodField()
    category = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    created = serializers.DateTimeField(source="created_at", read_only=True)
    updated = serializers.DateTimeField(source="updated_at", read_only=True)
    response_due = serializers.DateTimeField(
        source="response_due_at", read_only=True, allow_null=True
    )
    resolution_due = serializers.DateTimeField(
        source="resolution_due_at", read_only=True, allow_null=True
    )
    next_response_due = serializers.DateTimeField(
        source="next_response_due_at",
        read_only=True,
        allow_null=True,
        help_text="When the customer's latest message must be answered by (the "
        "next-response clock); null while no message waits for an answer.",
    )
    sla_status = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "reference",
            "subject",
            "description",
            "status",
            "priority",
            "tier",
            "category",
            "requester",
            "organisation",
            "assignee",
            "is_assigned",
            "is_vip",
            "created",
            "updated",
            "response_due",
            "resolution_due",
            "next_response_due",
            "sla_status",
            "satisfaction_rating",
        ]
        read_only_fields = fields

    def to_representation(self, ticket: Ticket) -> dict:
        """The declared fields, built directly: a list page holds 25-100 of these, and DRF's
        field-by-field walk cost more than the rest of the request. Same values, same order
        (tests/api/test_ticket_representation.py compares it with the generic walk)."""
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        staff = _is_staff(self.context)
        organisation, category = ticket.organisation, ticket.category
        assignee = ticket.assignee if staff and ticket.assignee_id is not None else None
        rating = ticket.satisfaction_rating
        return {
            "id": ticket.pk,
            "reference": ticket.reference,
            "subject": ticket.subject,
            "description": ticket.description,
            "status": _choice(ticket.status),
            "priority": _choice(ticket.priority),
            "tier": _choice(ticket.tier),
            "category": None if category is None else str(category.name),
            "requester": user_ref(ticket.requester, viewer=viewer),
            "organisation": None
            if organisation is None
            else {"id": organisation.pk, "name": organisation.name},
            "assignee": None if assignee is None else user_ref(assignee, viewer=viewer),
            "is_assigned": ticket.assignee_id is not None,
            "is_vip": ticket.is_vip if staff else None,
            "created": _instant(ticket.created_at),
            "updated": _instant(ticket.updated_at),
            "response_due": _instant(ticket.response_due_at),
            "resolution_due": _instant(ticket.resolution_due_at),
            "next_response_due": _instant(ticket.next_response_due_at),
            "sla_status": self.get_sla_status(ticket),
            "satisfaction_rating": None if rating is None else int(rating),
        }

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_assignee(self, ticket: Ticket):
        if ticket.assignee_id is None or not _is_staff(self.context):
            return None
        return UserRefSerializer(ticket.assignee, context=self.context).data

    def get_is_assigned(self, ticket: Ticket) -> bool:
        return ticket.assignee_id is not None

    @extend_schema_field(serializers.BooleanField(allow_null=True))
    def get_is_vip(self, ticket: Ticket):
        return ticket.is_vip if _is_staff(self.context) else None

    @extend_schema_field(
        serializers.ChoiceField(choices=["ok", "warning", "breached", "paused", "met"])
    )
    def get_sla_status(self, ticket: Ticket) -> str:
        annotated = getattr(ticket, "sla_status", None)
        return annotated if isinstance(annotated, str) else ticket_sla_status(ticket)


_DATETIME = serializers.DateTimeField()


def _instant(value):
    """A datetime as DRF writes it (ISO 8601 in the active time zone), None as null."""
    return None if value is None else _DATETIME.to_representation(value)


def _choice(value):
    """A choice as DRF's ChoiceField writes it: the stored value as a plain string."""
    return value if value in ("", None) else str(value)


class HandoffStepSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    from_tier = serializers.ChoiceField(choices=Tier.choices)
    to_tier = serializers.ChoiceField(choices=Tier.choices)
    actor = UserRefSerializer(allow_null=True)
    note = serializers.CharField()
    note_html = serializers.CharField(help_text="The note rendered from Markdown (sanitised).")
    pinned = serializers.BooleanField()
    created = serializers.DateTimeField()


class CapabilitiesSerializer(serializers.Serializer):
    """What the caller may do with the ticket now (the ticket page shows the same)."""

    can_reply = serializers.BooleanField()
    can_rate = serializers.BooleanField()
    can_escalate = serializers.BooleanField()
    can_deescalate = serializers.BooleanField()
    deescalate_to = serializers.ListField(child=serializers.ChoiceField(Tier.choices))


class TicketDetailSerializer(TicketSerializer):
    allowed_statuses = serializers.SerializerMethodField(
        help_text="Statuses the caller may move the ticket to now."
    )
    capabilities = serializers.SerializerMethodField()
    handoff_note = serializers.SerializerMethodField(
        help_text="The latest escalation handoff note (staff only, null for customers)."
    )
    handoff_chain = serializers.SerializerMethodField(
        help_text=(
            "Every hand-off note and de-escalation reason, oldest first; `pinned` marks the one "
            "for the current tier (staff only, null for customers)."
        )
    )
    agreement = serializers.SerializerMethodField(
        help_text="Name of the service agreement the ticket's SLA clocks run on (null: no SLA)."
    )
    tags = serializers.SerializerMethodField(help_text="Staff only (empty for customers).")
    links = serializers.SerializerMethodField(
        help_text="Links to tickets the caller may see: related, parent_of, child_of, "
        "duplicate_of, duplicated_by."
    )

    # One ticket per answer: DRF's own field walk (it knows the fields added here).
    to_representation = serializers.ModelSerializer.to_representation

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields,
            "allowed_statuses",
            "capabilities",
            "handoff_note",
            "handoff_chain",
            "agreement",
            "tags",
            "links",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, ticket: Ticket) -> list[str]:
        from desk.selectors import ticket_tag_names

        return ticket_tag_names(ticket=ticket) if _is_staff(self.context) else []

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_links(self, ticket: Ticket) -> list[dict]:
        from desk.selectors import ticket_links

        from .desk import LinkSerializer

        views = ticket_links(ticket=ticket, user=self.context["request"].user)
        return list(LinkSerializer(views, many=True).data)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Status.choices)))
    def get_allowed_statuses(self, ticket: Ticket) -> list[str]:
        return self._capabilities(ticket).statuses

    @extend_schema_field(CapabilitiesSerializer)
    def get_capabilities(self, ticket: Ticket) -> dict:
        return dict(CapabilitiesSerializer(self._capabilities(ticket)).data)

    def _capabilities(self, ticket: Ticket):
        from tickets.permissions import ticket_capabilities

        key = ("capabilities", ticket.pk)
        if key not in self.context:
            self.context[key] = ticket_capabilities(
                ticket=ticket, user=self.context["request"].user
            )
        return self.context[key]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_handoff_note(self, ticket: Ticket):
        return self.context.get("handoff_note")

    @extend_schema_field(HandoffStepSerializer(many=True, allow_null=True))
    def get_handoff_chain(self, ticket: Ticket):
        chain = self.context.get("handoff_chain")
        return None if chain is None else HandoffStepSerializer(chain, many=True).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_agreement(self, ticket: Ticket):
        return self.context.get("agreement")


class TicketCreateSerializer(serializers.Serializer):
    """Only these fields are read; anything else in the body is ignored.

    `priority` is optional; customers may choose P2–P4 or describe `impact`
    and `urgency` (high/medium/low) and get the matrix's priority. Staff may
    file on behalf of a customer with `requester`.
    """

    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=50_000)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    impact = serializers.ChoiceField(choices=Level.choices, required=False)
    urgency = serializers.ChoiceField(choices=Level.choices, required=False)
    category = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    requester = serializers.IntegerField(
        required=False, min_value=1, help_text="Staff only: file for this customer."
    )

    def validate(self, attrs):
        if ("impact" in attrs) != ("urgency" in attrs):
            raise serializers.ValidationError("Give both impact and urgency, or neither.")
        if "impact" in attrs and "priority" in attrs:
            raise serializers.ValidationError("Give a priority or impact and urgency, not both.")
        return attrs


CUSTOMER_PRIORITY_HELP = ", ".join(CUSTOMER_PRIORITIES)


class ReplySerializer(serializers.ModelSerializer):
    author = UserRefSerializer(read_only=True)
    created = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Reply
        fields = ["id", "author", "body", "internal", "created"]
        read_only_fields = fields


class ReplyCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=50_000)
    internal = serializers.BooleanField(default=False, help_text="Internal note: staff only.")


class AttachmentSerializer(serializers.ModelSerializer):
    created = serializers.DateTimeField(source="created_at", read_only=True)
    internal = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "internal", "created", "download"]
        read_only_fields = fields

    def get_internal(self, attachment: Attachment) -> bool:
        return attachment.internal

    def get_download(self, attachment: Attachment) -> str:
        return f"/api/v1/tickets/{attachment.ticket_id}/attachments/{attachment.pk}/"


class AttachmentUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False, max_length=200), min_length=1
    )


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(
        allow_null=True, min_value=1, help_text="A technician's id, or null to unassign."
    )
    expected_assignee = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=(
            "The assignee (id, null: unassigned) the caller saw; 409 `stale` if the ticket has "
            "another now. Without it, assigning yourself a ticket someone else holds is a 409 "
            "`held` naming them."
        ),
    )


class AcknowledgeSerializer(serializers.Serializer):
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=(
            "Public message to the customer, sent as a reply; it meets the response target. "
            "Without it the target stays running unless the agreement allows a silent "
            "acknowledgement."
        ),
    )


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    expected_status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text="The status the caller saw; 409 `stale` if the ticket has another now.",
    )


class PrioritySerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)


class RateSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)


EXPECTED_TIER_HELP = "The tier the caller saw; 409 `stale` if the ticket is at another now."


class EscalateSerializer(serializers.Serializer):
    handoff_note = serializers.CharField(
        max_length=10_000, help_text="What was checked, what was tried, what the customer said."
    )
    expected_tier = serializers.ChoiceField(choices=Tier.choices, help_text=EXPECTED_TIER_HELP)


class DeescalateSerializer(serializers.Serializer):
    tier = serializers.ChoiceField(choices=Tier.choices)
    reason = serializers.CharField(max_length=2000)
    expected_tier = serializers.ChoiceField(choices=Tier.choices, help_text=EXPECTED_TIER_HELP)


# Facts in a public event that still belong to staff: a de-escalation's reason (a note
# about the customer), who was assigned, escalation record ids.
STAFF_ONLY_EVENT_KEYS = frozenset({"reason", "assignee", "escalation", "note", "actions"})


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    created = serializers.DateTimeField(source="created_at", read_only=True)
    before = serializers.SerializerMethodField()
    after = serializers.SerializerMethodField()

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "actor", "before", "after", "internal", "created"]
        read_only_fields = fields

    def _facts(self, facts: dict) -> dict:
        if _is_staff(self.context):
            return facts
        return {k: v for k, v in facts.items() if k not in STAFF_ONLY_EVENT_KEYS}

    @extend_schema_field(serializers.DictField())
    def get_before(self, event: TicketEvent) -> dict:
        return self._facts(event.before)

    @extend_schema_field(serializers.DictField())
    def get_after(self, event: TicketEvent) -> dict:
        return self._facts(event.after)

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_actor(self, event: TicketEvent):
        return UserRefSerializer(event.actor, context=self.context).data if event.actor_id else None


class EscalationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    from_tier = serializers.ChoiceField(choices=Tier.choices)
    to_tier = serializers.ChoiceField(choices=Tier.choices)
    actor = UserRefSerializer(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    automatic = serializers.BooleanField(source="is_automatic")
    created = serializers.DateTimeField(source="created_at")
