"""Webhooks and their deliveries as managers see them."""

from rest_framework import serializers

from ...models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), min_length=1, max_length=20
    )
    created = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Webhook
        fields = ["id", "url", "description", "events", "is_active", "created"]

    def validate_url(self, url: str) -> str:
        if not url.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Only http and https URLs.")
        return url


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Shown only now (and on rotation): sign-check deliveries."
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "duration_ms", "status_code", "error", "succeeded"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    attempts = WebhookAttemptSerializer(many=True, read_only=True)
    payload = serializers.DictField(read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "status",
            "payload",
            "attempt_count",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "attempts",
        ]
        read_only_fields = fields
