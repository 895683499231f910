"""The caller's notices and their choices of how to be told."""

from rest_framework import serializers

from escalation.models import MailMode, Notification, NotificationKind


class NotificationTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    ticket = NotificationTicketSerializer(read_only=True, allow_null=True)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "subject",
            "body",
            "ticket",
            "created_at",
            "read",
            "read_at",
        ]
        read_only_fields = fields

    def get_read(self, notice: Notification) -> bool:
        return notice.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text="Unread notices, counted up to `cap` + 1.")
    capped = serializers.BooleanField(help_text="True: more than `cap` are unread.")
    cap = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many unread notices were marked read.")


class NoticeChoiceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    label = serializers.CharField(read_only=True)
    mail = serializers.BooleanField()
    in_app = serializers.BooleanField()
    mandatory = serializers.BooleanField(
        read_only=True, help_text="Always by e-mail (maintenance releases)."
    )


class NotificationPreferencesSerializer(serializers.Serializer):
    mail_mode = serializers.ChoiceField(
        choices=MailMode.choices,
        required=False,
        help_text="Staff only: one e-mail per notice, or a digest (the default).",
    )
    kinds = NoticeChoiceSerializer(many=True, required=False)
