"""Maintenance releases as the API shows them; receipts and ticket lists for staff only."""

from __future__ import annotations

from rest_framework import serializers

from releases.models import Release, ReleaseReceipt, ReleaseStatus
from tickets.markdown import render_markdown


class ReleaseSerializer(serializers.ModelSerializer):
    notes_html = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=ReleaseStatus.choices)
    published = serializers.DateTimeField(source="published_at", allow_null=True)

    class Meta:
        model = Release
        fields = [
            "id",
            "version",
            "title",
            "notes",
            "notes_html",
            "release_date",
            "status",
            "published",
        ]
        read_only_fields = fields

    def get_notes_html(self, release: Release) -> str:
        return render_markdown(release.notes)


class ReceiptSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.name")
    published = serializers.DateTimeField(source="published_at")

    class Meta:
        model = ReleaseReceipt
        fields = ["organisation", "published", "notified"]
        read_only_fields = fields


class ReleaseDetailSerializer(ReleaseSerializer):
    problems = serializers.SerializerMethodField()
    tickets = serializers.SerializerMethodField()
    receipts = serializers.SerializerMethodField()

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "problems", "tickets", "receipts"]
        read_only_fields = fields

    def _staff(self) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.is_support_staff)

    def get_problems(self, release: Release) -> list[int]:
        return list(release.problems.values_list("pk", flat=True)) if self._staff() else []

    def get_tickets(self, release: Release) -> list[int]:
        """Tickets fixed directly (staff only)."""
        if not self._staff():
            return []
        return list(release.ticket_links.values_list("ticket_id", flat=True))

    def get_receipts(self, release: Release) -> list[dict]:
        request = self.context.get("request")
        if not (request and request.user.is_manager):
            return []
        return ReceiptSerializer(release.receipts.select_related("organisation"), many=True).data


class ReleaseWriteSerializer(serializers.Serializer):
    version = serializers.CharField(max_length=50)
    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(max_length=50_000, required=False, allow_blank=True)
    release_date = serializers.DateField(required=False, allow_null=True)
    problems = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=10_000,
    )
    tickets = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=10_000,
    )
