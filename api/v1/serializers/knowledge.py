"""Articles and known problems as the API shows them (customers: public facts only)."""

from __future__ import annotations

from rest_framework import serializers

from knowledge.models import Article, ArticleStatus, Language, Problem, Visibility
from tickets.markdown import render_markdown


class ArticleHitSerializer(serializers.Serializer):
    """One search hit or list row; `snippet` is safe HTML with <mark> around matches."""

    id = serializers.IntegerField(source="article.pk")
    title = serializers.CharField(source="article.title")
    snippet = serializers.CharField()
    language = serializers.ChoiceField(source="article.language", choices=Language.choices)
    visibility = serializers.ChoiceField(source="article.visibility", choices=Visibility.choices)
    status = serializers.ChoiceField(source="article.status", choices=ArticleStatus.choices)
    rank = serializers.FloatField()


class ArticleSerializer(serializers.ModelSerializer):
    body_html = serializers.SerializerMethodField()
    tags = serializers.ListField(source="tag_list", child=serializers.CharField())
    category = serializers.CharField(source="category.name", allow_null=True, default=None)
    updated = serializers.DateTimeField(source="updated_at")
    published = serializers.DateTimeField(source="published_at", allow_null=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "body",
            "body_html",
            "language",
            "visibility",
            "status",
            "tags",
            "category",
            "version",
            "updated",
            "published",
        ]
        read_only_fields = fields

    def get_body_html(self, article: Article) -> str:
        return render_markdown(article.body)


class ArticleWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=50_000)
    language = serializers.ChoiceField(choices=Language.choices, default=Language.EN)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.INTERNAL)
    status = serializers.ChoiceField(
        choices=[ArticleStatus.DRAFT, ArticleStatus.PUBLISHED], default=ArticleStatus.DRAFT
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20
    )


class ArticleUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(max_length=50_000, required=False)
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    status = serializers.ChoiceField(choices=ArticleStatus.choices, required=False)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=20
    )


class DeflectionSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64, help_text="One per ticket form opened.")


class DeflectionResultSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    counted = serializers.BooleanField(help_text="False when this suggestion was counted before.")


class LinkTicketSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class ProblemSerializer(serializers.ModelSerializer):
    tickets = serializers.SerializerMethodField()
    article = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    created = serializers.DateTimeField(source="created_at")
    updated = serializers.DateTimeField(source="updated_at")

    class Meta:
        model = Problem
        fields = [
            "id",
            "title",
            "description",
            "workaround",
            "root_cause",
            "is_public",
            "status",
            "article",
            "tickets",
            "created",
            "updated",
            "fixed_at",
        ]
        read_only_fields = fields

    def get_tickets(self, problem: Problem) -> list[int]:
        ids = self.context.get("ticket_ids")
        return list(ids) if ids is not None else []


class ProblemListSerializer(serializers.ModelSerializer):
    ticket_count = serializers.IntegerField()

    class Meta:
        model = Problem
        fields = ["id", "title", "status", "is_public", "ticket_count", "created_at"]
        read_only_fields = fields


class ProblemWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=50_000)
    workaround = serializers.CharField(max_length=50_000, required=False, allow_blank=True)
    root_cause = serializers.CharField(max_length=50_000, required=False, allow_blank=True)
    is_public = serializers.BooleanField(required=False, default=True)


class ProblemUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=50_000, required=False)
    workaround = serializers.CharField(max_length=50_000, required=False, allow_blank=True)
    root_cause = serializers.CharField(max_length=50_000, required=False, allow_blank=True)
    is_public = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=["open", "known_error", "closed"], required=False)


class TicketIdsSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=10_000,
    )


class LinkedSerializer(serializers.Serializer):
    linked = serializers.IntegerField(help_text="Tickets newly linked by this call.")
    problem = ProblemSerializer()
