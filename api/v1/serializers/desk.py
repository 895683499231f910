"""Canned replies, links, watchers and tags in the API."""

from __future__ import annotations

from rest_framework import serializers

from desk.models import Macro
from tickets.models import Priority, Status

from .people import UserRefSerializer


class MacroSerializer(serializers.ModelSerializer):
    shared = serializers.BooleanField(source="is_shared", read_only=True)
    translations = serializers.SerializerMethodField()
    set_status = serializers.CharField(read_only=True, help_text="A status, or empty: none.")
    set_priority = serializers.CharField(read_only=True, help_text="A priority, or empty: none.")

    class Meta:
        model = Macro
        fields = [
            "id",
            "name",
            "shared",
            "body",
            "translations",
            "internal",
            "set_status",
            "set_priority",
        ]
        read_only_fields = fields

    def get_translations(self, macro: Macro) -> dict[str, str]:
        return {t.language: t.body for t in macro.translations.all()}


class MacroApplySerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=50_000,
        required=False,
        allow_blank=True,
        help_text="The text as edited; empty: the macro filled in for the ticket.",
    )


class MacroCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    body = serializers.CharField(max_length=20_000)
    shared = serializers.BooleanField(default=False, help_text="Managers only.")
    internal = serializers.BooleanField(default=False)
    set_status = serializers.ChoiceField(choices=Status.choices, required=False, allow_blank=True)
    set_priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, allow_blank=True
    )
    translations = serializers.DictField(
        child=serializers.CharField(max_length=20_000, allow_blank=True), required=False
    )


class MergeSerializer(serializers.Serializer):
    original = serializers.IntegerField(min_value=1, help_text="Id of the original ticket.")


class LinkCreateSerializer(serializers.Serializer):
    target = serializers.IntegerField(min_value=1, help_text="Id of the other ticket.")
    kind = serializers.ChoiceField(
        choices=[("related", "related"), ("parent", "parent"), ("child", "child")],
        help_text="This ticket is related to / the parent of / a child of the other.",
    )


class LinkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["related", "parent_of", "child_of", "duplicate_of", "duplicated_by"]
    )
    ticket = serializers.IntegerField(source="other.pk")
    reference = serializers.CharField(source="other.reference")
    subject = serializers.CharField(source="other.subject")


class WatcherSerializer(serializers.Serializer):
    user = serializers.SerializerMethodField()
    created = serializers.DateTimeField(source="created_at")

    def get_user(self, watcher) -> dict:
        return UserRefSerializer(watcher.user, context=self.context).data


class WatcherAddSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1, help_text="A colleague's id, or your own.")


class TagsSerializer(serializers.Serializer):
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=20, allow_empty=True
    )
