"""Manager endpoints: organisations, users (technician tiers), SLA and escalation setup."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import Organisation, Role, Tier, User
from escalation.models import EscalationRule
from reports.selectors import validate_period_day
from sla.models import Agreement, Calendar, ClosedDate, Target

from ..filters import MAX_ID, IdFilter
from ..permissions import IsManager
from ..serializers import manage as m
from .base import ApiView, StrictQueryMixin

WRITE_METHODS = ["get", "post", "patch", "delete", "head", "options"]


class ManagerViewSet(StrictQueryMixin, viewsets.ModelViewSet):
    permission_classes = [IsManager]
    http_method_names = WRITE_METHODS
    lookup_value_regex = "[0-9]{1,18}"


@extend_schema_view(
    list=extend_schema(tags=["manage"]),
    create=extend_schema(tags=["manage"]),
    retrieve=extend_schema(tags=["manage"]),
    partial_update=extend_schema(tags=["manage"]),
    destroy=extend_schema(tags=["manage"], description="409 while users or tickets use it."),
)
class OrganisationViewSet(ManagerViewSet):
    serializer_class = m.OrganisationSerializer
    queryset = Organisation.objects.order_by("name", "id")


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    organisation = IdFilter(field_name="organisation_id", min_value=1, max_value=MAX_ID)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = User
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(tags=["manage"]),
    create=extend_schema(tags=["manage"]),
    retrieve=extend_schema(tags=["manage"]),
    partial_update=extend_schema(
        tags=["manage"], description="Change role, tier, flags; deactivate with is_active."
    ),
)
class UserViewSet(ManagerViewSet):
    serializer_class = m.UserSerializer
    queryset = User.objects.order_by("username", "id")
    filter_backends = [DjangoFilterBackend]
    filterset_class = UserFilter
    # Users are deactivated, never deleted: tickets and history point at them.
    http_method_names = ["get", "post", "patch", "head", "options"]


@extend_schema_view(
    list=extend_schema(tags=["manage"]),
    create=extend_schema(tags=["manage"]),
    retrieve=extend_schema(tags=["manage"]),
    partial_update=extend_schema(tags=["manage"]),
    destroy=extend_schema(tags=["manage"], description="409 while an agreement uses it."),
)
class CalendarViewSet(ManagerViewSet):
    serializer_class = m.CalendarSerializer
    queryset = Calendar.objects.prefetch_related(
        Prefetch("closed_dates", queryset=ClosedDate.objects.order_by("date"))
    ).order_by("name", "id")


@extend_schema_view(
    list=extend_schema(tags=["manage"]),
    create=extend_schema(tags=["manage"]),
    retrieve=extend_schema(tags=["manage"]),
    partial_update=extend_schema(tags=["manage"]),
    destroy=extend_schema(tags=["manage"]),
)
class AgreementViewSet(ManagerViewSet):
    serializer_class = m.AgreementSerializer
    queryset = Agreement.objects.prefetch_related(
        Prefetch("targets", queryset=Target.objects.order_by("kind", "vip", "tier", "priority"))
    ).order_by("name", "id")


@extend_schema_view(
    list=extend_schema(tags=["manage"]),
    create=extend_schema(tags=["manage"]),
    retrieve=extend_schema(tags=["manage"]),
    partial_update=extend_schema(tags=["manage"]),
    destroy=extend_schema(tags=["manage"]),
)
class EscalationRuleViewSet(ManagerViewSet):
    serializer_class = m.EscalationRuleSerializer
    queryset = EscalationRule.objects.order_by("order", "id")


class DashboardQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False,
        help_text="First day (default: 30 days ago); from 2000-01-01 to a year ahead.",
        validators=[validate_period_day],
    )
    end = serializers.DateField(
        required=False,
        help_text="Last day, inclusive (default: today); from 2000-01-01 to a year ahead.",
        validators=[validate_period_day],
    )
    organisation = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    MAX_DAYS = 400

    def validate(self, attrs):
        today = timezone.localdate()
        attrs.setdefault("end", today)
        attrs.setdefault("start", attrs["end"] - dt.timedelta(days=30))
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"start": ["Must not be after end."]})
        if (attrs["end"] - attrs["start"]).days > self.MAX_DAYS:
            raise serializers.ValidationError({"start": [f"At most {self.MAX_DAYS} days."]})
        return attrs


class DashboardSerializer(serializers.Serializer):
    """Free-form rows per table; see reports.selectors.dashboard_figures for their keys."""

    period = serializers.DictField(child=serializers.CharField())
    organisation = serializers.IntegerField(allow_null=True)
    generated_at = serializers.CharField()
    compliance_by_tier = serializers.ListField(child=serializers.DictField())
    compliance_by_priority = serializers.ListField(child=serializers.DictField())
    breaches_per_day = serializers.ListField(child=serializers.DictField())
    first_response_by_tier = serializers.ListField(child=serializers.DictField())
    escalation_rates = serializers.ListField(child=serializers.DictField())
    backlog_by_age = serializers.ListField(child=serializers.DictField())
    at_risk = serializers.ListField(child=serializers.DictField())
    workload = serializers.ListField(child=serializers.DictField())
    csat_by_tier = serializers.ListField(child=serializers.DictField())
    csat_by_technician = serializers.ListField(child=serializers.DictField())
    csat_comments = serializers.ListField(child=serializers.DictField())


@extend_schema(tags=["manage"])
class DashboardApi(ApiView):
    """The SLA dashboard's figures for clocks started between start and end."""

    permission_classes = [IsManager]
    serializer_class = DashboardSerializer
    extra_query_params = ("start", "end", "organisation")

    @extend_schema(parameters=[DashboardQuerySerializer])
    def get(self, request: Request) -> Response:
        from reports.selectors import dashboard_figures

        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        figures = dashboard_figures(
            user=request.user,
            start=values["start"],
            end=values["end"],
            organisation=values.get("organisation"),
        )
        return Response(figures)
