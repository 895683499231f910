"""Manager configuration: organisations, users, calendars, agreements, escalation rules.

Writes run the models' own validation (`full_clean()`, which includes the SLA
app's Calendar/Agreement clean() and database constraints) and the SLA
target-table check, so the API accepts exactly what the admin accepts; agreements
and calendars are saved by the same services as in the admin (sla.services.config).
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from rest_framework import serializers

from accounts.models import Organisation, User
from escalation.models import EscalationRule
from sla.models import Agreement, Calendar, ClosedDate, Target
from sla.services.config import agreement_save, calendar_save
from sla.validation import TargetRow, validate_target_table


class CleanModelSerializer(serializers.ModelSerializer):
    """create/update through the model's full_clean(), so model rules hold for the API too."""

    def _save(self, instance, validated_data):
        for field, value in validated_data.items():
            setattr(instance, field, value)
        instance.full_clean()
        instance.save()
        return instance

    def create(self, validated_data):
        return self._save(self.Meta.model(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class OrganisationSerializer(CleanModelSerializer):
    created = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "time_zone", "created"]


class UserSerializer(CleanModelSerializer):
    password = serializers.CharField(
        write_only=True,
        required=False,
        max_length=4096,
        trim_whitespace=False,
        help_text="Optional; without one the user cannot sign in with a password.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "tier",
            "organisation",
            "is_organisation_contact",
            "is_vip",
            "is_team_lead",
            "is_active",
            "language",
            "time_zone",
            "password",
        ]

    def _save(self, instance, validated_data):
        if instance.pk is not None:
            from accounts.services import user_check_change

            changed = {f for f, v in validated_data.items() if getattr(instance, f, None) != v}
            if "password" in validated_data:
                changed.add("password")
            user_check_change(actor=self.context["request"].user, user=instance, fields=changed)
        password = validated_data.pop("password", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        if password is not None:
            validate_password(password, user=instance)
            instance.set_password(password)
        elif instance.pk is None:
            instance.set_unusable_password()
        instance.full_clean(exclude=["password"])
        instance.save()
        return instance


class ClosedDateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClosedDate
        fields = ["date", "name"]


class CalendarSerializer(CleanModelSerializer):
    hours = serializers.DictField(
        child=serializers.ListField(
            child=serializers.ListField(child=serializers.CharField(max_length=8), max_length=2)
        ),
        required=False,
        help_text='Weekday (0 = Monday) → [["09:00", "17:00"], …] in the calendar\'s zone.',
    )
    closed_dates = ClosedDateSerializer(many=True, required=False)

    class Meta:
        model = Calendar
        fields = [
            "id",
            "name",
            "time_zone",
            "always_open",
            "hours",
            "holiday_country",
            "holiday_subdivision",
            "closed_dates",
        ]

    def _save(self, instance, validated_data):
        closed = validated_data.pop("closed_dates", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        return calendar_save(
            calendar=instance,
            closed_dates=None
            if closed is None
            else [(row["date"], row.get("name", "")) for row in closed],
        )


def _target_row(row: dict) -> TargetRow:
    return TargetRow(
        kind=row["kind"],
        tier=row.get("tier") or "",
        priority=row["priority"],
        vip=bool(row.get("vip")),
        minutes=row["minutes"],
    )


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = ["kind", "tier", "priority", "vip", "minutes"]
        extra_kwargs = {"minutes": {"min_value": 1, "max_value": 10_000_000}}


class AgreementSerializer(CleanModelSerializer):
    targets = TargetSerializer(
        many=True,
        help_text="The complete table: response per L1–L3 × P1–P4, resolution and "
        "next_response (answering a customer's message) per P1–P4, both without a tier; "
        "optionally a complete VIP table.",
    )

    class Meta:
        model = Agreement
        fields = [
            "id",
            "name",
            "organisation",
            "is_default",
            "calendar",
            "warning_percent",
            "vip_route_to_l2",
            "pause_on_hold",
            "acknowledge_needs_message",
            "targets",
        ]
        # The model's constraints (one default, 1–99 %) are checked by full_clean().
        extra_kwargs = {"warning_percent": {"min_value": 1, "max_value": 99}}
        validators: list = []

    def validate_targets(self, rows):
        validate_target_table(_target_row(row) for row in rows)
        return rows

    def _save(self, instance, validated_data):
        targets = validated_data.pop("targets", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        return agreement_save(
            agreement=instance,
            targets=None if targets is None else [_target_row(row) for row in targets],
        )


class EscalationRuleSerializer(CleanModelSerializer):
    class Meta:
        model = EscalationRule
        fields = [
            "id",
            "name",
            "trigger",
            "tier",
            "priority",
            "move_to_next_tier",
            "raise_priority",
            "assign_to",
            "notify_assignee",
            "notify_tier_group",
            "notify_team_lead",
            "notify_manager",
            "notify_requester",
            "active",
            "order",
        ]
