"""Mailboxes (managers) and the mail taken in; the password is write-only."""

from __future__ import annotations

from rest_framework import serializers

from mail.models import InboundMail, Mailbox


class MailboxSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True,
        required=False,
        max_length=1000,
        trim_whitespace=False,
        help_text="Stored encrypted; never returned. Omit to keep the stored one.",
    )
    has_password = serializers.SerializerMethodField()
    port = serializers.IntegerField(min_value=1, max_value=65535, required=False)

    class Meta:
        model = Mailbox
        fields = [
            "id",
            "name",
            "host",
            "port",
            "security",
            "username",
            "password",
            "has_password",
            "folder",
            "organisation",
            "category",
            "priority",
            "unknown_senders",
            "foreign_replies",
            "after_processing",
            "processed_folder",
            "active",
            "last_polled_at",
            "last_error",
        ]
        read_only_fields = ["last_polled_at", "last_error"]

    def get_has_password(self, obj: Mailbox) -> bool:
        return bool(obj.password_encrypted)


class InboundMailSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboundMail
        fields = [
            "id",
            "mailbox",
            "message_id",
            "sender",
            "subject",
            "outcome",
            "reason",
            "ticket",
            "size",
            "received_at",
        ]
        read_only_fields = fields
