"""Ticket list filters and the ordering allow-list; anything else is a 400."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from accounts.models import Tier
from common.ids import IdFormField
from sla.selectors import SlaStatus, sla_status_condition
from tickets.models import Priority, Status, Ticket

MAX_ID = 2**63 - 1


class IdFilter(django_filters.NumberFilter):
    field_class = IdFormField


ORDERING = (
    ("response_due_at", "response_due"),
    ("resolution_due_at", "resolution_due"),
    ("created_at", "created"),
    ("updated_at", "updated"),
    ("priority", "priority"),
    ("id", "id"),
)


class TicketFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    organisation = IdFilter(field_name="organisation_id", min_value=1, max_value=MAX_ID)
    assignee = IdFilter(
        method="filter_assignee",
        min_value=0,
        max_value=MAX_ID,
        help_text="Staff only; 0 means unassigned.",
    )
    sla_status = django_filters.ChoiceFilter(
        choices=[(s, s) for s in SlaStatus.ALL], method="filter_sla_status"
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text="Reference (HD-000123), or words in the subject or description.",
    )
    tag = django_filters.CharFilter(
        method="filter_tag", max_length=50, help_text="Staff only: tickets with this tag."
    )
    ordering = django_filters.OrderingFilter(
        fields=ORDERING,
        help_text="Comma-separated; prefix with '-' for descending.",
    )

    class Meta:
        model = Ticket
        fields: list[str] = []

    def filter_assignee(self, queryset, name, value):
        request = self.request
        if not (request and request.user.is_support_staff):
            # Who works a ticket is internal: customers cannot probe for it.
            raise ValidationError({"assignee": ["Only staff can filter by assignee."]})
        if int(value) == 0:
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee_id=int(value))

    def filter_tag(self, queryset, name, value):
        request = self.request
        if not (request and request.user.is_support_staff):
            raise ValidationError({"tag": ["Only staff can filter by tag."]})
        return queryset.filter(tags__name__iexact=value.strip())

    def filter_sla_status(self, queryset, name, value):
        return queryset.filter(sla_status_condition(value, now=timezone.now()))

    def filter_search(self, queryset, name, value):
        text = value.strip()
        if not text:
            return queryset
        condition = Q(subject__icontains=text) | Q(description__icontains=text)
        ticket_id = Ticket.id_from_reference(text)
        if ticket_id:
            condition |= Q(pk=ticket_id)
        return queryset.filter(condition)


class TicketFilterBackend(DjangoFilterBackend):
    """TicketFilter, skipped when the request names none of its parameters: every filter
    then leaves the list as it is, so the form is not built and validated for nothing
    (a millisecond of every plain list request)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)
