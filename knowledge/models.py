"""Known solutions (articles with every version kept) and known problems."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel

if TYPE_CHECKING:
    from accounts.models import User


class Language(models.TextChoices):
    EN = "en", "English"
    DE = "de", "Deutsch"


# PostgreSQL text-search configuration per article language (stemming, stop words).
SEARCH_CONFIG: dict[str, str] = {Language.EN: "english", Language.DE: "german"}


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: customers too")
    INTERNAL = "internal", _("Internal: staff only")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ArticleQuerySet(models.QuerySet["Article"]):
    def visible_to(self, user: User) -> ArticleQuerySet:
        """The one place that decides which articles a user may read.

        Staff: every article (drafts and internal ones too); everybody else:
        published public articles only.
        """
        if user.is_authenticated and user.is_active and user.is_support_staff:
            return self.all()
        return self.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)


class Article(BaseModel):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), help_text=_("Markdown."))
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.EN
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        related_name="articles",
        null=True,
        blank=True,
    )
    tags = models.CharField(
        _("tags"), max_length=300, blank=True, help_text=_("Comma-separated keywords.")
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("written from ticket"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    # Weighted title (A) > tags (B) > body (C), in the article language's configuration;
    # kept current by the article services, indexed with GIN (see migration 0002).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["status", "visibility", "language"], name="article_scope"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class ArticleVersion(models.Model):
    """Every saved state of an article, append-only."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)
    status = models.CharField(_("status"), max_length=10, choices=ArticleStatus.choices)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("saved at"))

    class Meta:
        ordering = ["-number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="article_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class Deflection(models.Model):
    """A customer said a suggested article solved it and filed nothing: counted once."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(
        _("suggestion"), max_length=64, help_text=_("One per ticket form the customer opened.")
    )
    created_at = models.DateTimeField(_("accepted at"), db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user", "token"], name="deflection_once_per_suggestion"
            )
        ]

    def __str__(self) -> str:
        return f"article {self.article_id} solved it for {self.user_id}"


class ArticleLink(models.Model):
    """The article that solved a ticket, linked by a technician (counted per article)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="solution_links"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("linked at"))

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("solving article")
        verbose_name_plural = _("solving articles")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "article"], name="article_link_once")
        ]

    def __str__(self) -> str:
        return f"article {self.article_id} solved ticket {self.ticket_id}"


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    KNOWN_ERROR = "known_error", _("Known error")
    FIXED = "fixed", _("Fixed")
    CLOSED = "closed", _("Closed")


class Problem(BaseModel):
    """A known problem (ITIL known error): one cause behind many tickets."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), help_text=_("Markdown."))
    workaround = models.TextField(_("workaround"), blank=True, help_text=_("Markdown."))
    is_public = models.BooleanField(
        _("workaround shown to customers"),
        default=True,
        help_text=_("Customers of linked tickets see the workaround."),
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.SET_NULL,
        related_name="problems",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True
    )
    fixed_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    tickets = models.ManyToManyField(
        "tickets.Ticket", through="ProblemTicket", related_name="problems", blank=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")

    def __str__(self) -> str:
        return self.title

    @property
    def is_being_worked_on(self) -> bool:
        return self.status in (ProblemStatus.OPEN, ProblemStatus.KNOWN_ERROR)


class ProblemTicket(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="problem_links"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True
    )
    created_at = models.DateTimeField(_("linked at"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("linked ticket")
        verbose_name_plural = _("linked tickets")
        constraints = [
            models.UniqueConstraint(fields=["problem", "ticket"], name="problem_ticket_once")
        ]
        indexes = [models.Index(fields=["ticket"], name="problem_ticket_ticket")]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} in problem {self.problem_id}"
