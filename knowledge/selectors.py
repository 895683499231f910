"""Reads of articles, search hits, the verify panel and known problems, scoped to the user."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Role
from common.errors import NotFound
from tickets.models import Reply, Status, Ticket

from . import search
from .models import (
    Article,
    ArticleLink,
    ArticleStatus,
    ArticleVersion,
    Deflection,
    Problem,
    ProblemStatus,
    ProblemTicket,
    Visibility,
)

if TYPE_CHECKING:
    from accounts.models import User

PANEL_ARTICLES = 5
PANEL_TICKETS = 5
SUGGESTIONS = 5


def article_list(*, user: User) -> QuerySet[Article]:
    return (
        Article.objects.visible_to(user)
        .exclude(status=ArticleStatus.ARCHIVED)
        .select_related("author", "category")
    )


def article_get(*, user: User, article_id: int) -> Article:
    article = (
        Article.objects.visible_to(user)
        .select_related("author", "reviewer", "category")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise NotFound(_("No such article."))
    return article


def article_search(
    *, user: User, text: str, language: str | None = None, published_only: bool = False
) -> QuerySet[Article]:
    """Ranked matches among the articles this user may read (best first)."""
    articles = article_list(user=user)
    if language:
        articles = articles.filter(language=language)
    if published_only:
        articles = articles.filter(status=ArticleStatus.PUBLISHED)
    return search.search(articles, text)


def with_snippets(articles: list[Article], text: str) -> list[search.Hit]:
    marked = search.snippets(articles, text)
    return [
        search.Hit(article=a, rank=getattr(a, "rank", 0.0), snippet=marked.get(a.pk, ""))
        for a in articles
    ]


def suggestions(*, user: User, text: str, language: str) -> list[search.Hit]:
    """Deflection: published public articles in the customer's language."""
    found = search.top(
        Article.objects.filter(
            status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC, language=language
        ),
        text,
        limit=SUGGESTIONS,
        related=True,
    )
    return with_snippets(found, text)


@dataclass
class VersionChange:
    number: int
    editor: User | None
    created_at: datetime
    status: str
    diff: list[tuple[str, str]] = field(default_factory=list)  # (kind, line): + - or space


def article_versions(*, article: Article) -> list[VersionChange]:
    """Each version with what changed against the one before (title, tags, body lines)."""
    versions = list(
        ArticleVersion.objects.filter(article=article).select_related("editor").order_by("number")
    )
    changes = []
    previous: ArticleVersion | None = None
    for version in versions:
        before = _version_lines(previous) if previous else []
        after = _version_lines(version)
        diff = []
        for line in difflib.ndiff(before, after):
            if line.startswith(("+ ", "- ")):
                diff.append((line[0], line[2:]))
        changes.append(
            VersionChange(
                number=version.number,
                editor=version.editor,
                created_at=version.created_at,
                status=version.status,
                diff=diff,
            )
        )
        previous = version
    return list(reversed(changes))


def _version_lines(version: ArticleVersion) -> list[str]:
    return [
        f"{_('Title')}: {version.title}",
        f"{_('Tags')}: {version.tags}",
        f"{_('Visibility')}: {version.visibility}",
        f"{_('Status')}: {version.status}",
        *version.body.splitlines(),
    ]


# ------------------------------------------------------------------ verify panel


def _staff_reply() -> Q:
    return Q(author__role__in=[Role.TECHNICIAN, Role.MANAGER]) | Q(author__is_superuser=True)


def resolution_of(tickets: list[Ticket]) -> dict[int, Reply]:
    """The resolution of each ticket: its last public staff reply before it was resolved."""
    if not tickets:
        return {}
    replies = (
        Reply.objects.filter(_staff_reply(), ticket__in=tickets, internal=False)
        .select_related("author")
        .order_by("ticket_id", "created_at", "id")
    )
    resolved_at = {t.pk: t.resolved_at or t.closed_at for t in tickets}
    found: dict[int, Reply] = {}
    for reply in replies:
        limit = resolved_at.get(reply.ticket_id)
        if limit is None or reply.created_at <= limit:
            found[reply.ticket_id] = reply
    return found


def similar_resolved(*, ticket: Ticket, user: User) -> list[Ticket]:
    """Resolved tickets like this one, only among those the user may see."""
    candidates = (
        Ticket.objects.visible_to(user)
        .filter(status__in=[Status.RESOLVED, Status.CLOSED])
        .exclude(pk=ticket.pk)
    )
    if search.is_postgres():
        from django.contrib.postgres.search import TrigramWordSimilarity

        candidates = (
            candidates.annotate(similarity=TrigramWordSimilarity(ticket.subject, "subject"))
            .filter(similarity__gte=0.35)
            .order_by("-similarity", "-resolved_at")
        )
    else:
        words = [w for w in ticket.subject.split() if len(w) > 3][:6]
        if not words:
            return []
        match = Q()
        for word in words:
            match |= Q(subject__icontains=word)
        candidates = candidates.filter(match).order_by("-resolved_at")
    return list(
        candidates.only("id", "subject", "status", "resolved_at", "closed_at", "tier")[
            :PANEL_TICKETS
        ]
    )


@dataclass
class VerifyPanel:
    articles: list[search.Hit]
    similar: list[tuple[Ticket, Reply | None]]
    linked_article_ids: set[int]
    open_problems: list[Problem]


def verify_panel(*, ticket: Ticket, user: User) -> VerifyPanel:
    """What L2 checks before troubleshooting: known solutions (internal ones too) and
    similar resolved tickets with their resolution, only among tickets the user may see."""
    text = ticket.subject
    articles = search.top(
        article_list(user=user).filter(status=ArticleStatus.PUBLISHED),
        text,
        limit=PANEL_ARTICLES,
        related=True,
    )
    hits = with_snippets(articles, text)
    similar = similar_resolved(ticket=ticket, user=user)
    resolutions = resolution_of(similar)
    linked = (
        set(ArticleLink.objects.filter(ticket=ticket).values_list("article_id", flat=True))
        if articles
        else set()
    )
    return VerifyPanel(
        articles=hits,
        similar=[(t, resolutions.get(t.pk)) for t in similar],
        linked_article_ids=linked,
        open_problems=list(open_problems().exclude(links__ticket=ticket)[:50]),
    )


def solving_articles(*, ticket: Ticket, user: User) -> QuerySet[Article]:
    return Article.objects.visible_to(user).filter(ticket_links__ticket=ticket)


# ------------------------------------------------------------------ known problems


def ticket_problems(*, ticket: Ticket) -> list[Problem]:
    return list(Problem.objects.filter(links__ticket=ticket).order_by("-created_at"))


def problem_list(*, user: User) -> QuerySet[Problem]:
    if not user.is_support_staff:
        return Problem.objects.none()
    return Problem.objects.annotate(ticket_count=Count("links")).order_by("-created_at", "-id")


def problem_get(*, user: User, problem_id: int) -> Problem:
    problem = problem_list(user=user).select_related("article").filter(pk=problem_id).first()
    if problem is None:
        raise NotFound(_("No such problem."))
    return problem


def problem_tickets(*, problem: Problem, user: User) -> QuerySet[Ticket]:
    """The linked tickets this user may see (a technician's tiers)."""
    return (
        Ticket.objects.visible_to(user)
        .filter(problem_links__problem=problem)
        .select_related("organisation")
        .order_by("-created_at", "-id")
    )


def open_problems() -> QuerySet[Problem]:
    return Problem.objects.filter(status__in=[ProblemStatus.OPEN, ProblemStatus.KNOWN_ERROR])


def problem_ticket_ids(*, problem_ids: list[int]) -> QuerySet[ProblemTicket]:
    return ProblemTicket.objects.filter(problem_id__in=problem_ids)


# ------------------------------------------------------------------ counts


def deflection_counts(*, since: datetime, until: datetime) -> QuerySet[Article]:
    """Deflections and solving links per article in a period, most deflections first."""
    period = Q(deflections__created_at__gte=since, deflections__created_at__lt=until)
    return (
        Article.objects.annotate(
            deflected=Count("deflections", filter=period, distinct=True),
            solved=Count(
                "ticket_links",
                filter=Q(ticket_links__created_at__gte=since, ticket_links__created_at__lt=until),
                distinct=True,
            ),
        )
        .filter(Q(deflected__gt=0) | Q(solved__gt=0))
        .order_by("-deflected", "-solved", "title")
    )


def deflection_total(*, since: datetime, until: datetime) -> int:
    return Deflection.objects.filter(created_at__gte=since, created_at__lt=until).count()
