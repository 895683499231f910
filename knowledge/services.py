"""Every write of articles, deflections, solving links and known problems.

One transaction each; every saved state of an article is kept as a version.
L2/L3 technicians and managers write and publish; L1 writes drafts that L2/L3
approve; customers write nothing here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Tier
from common.errors import Conflict, NotAllowed, NotFound, field_error
from tickets.models import Status, Ticket

from . import search
from .models import (
    Article,
    ArticleLink,
    ArticleStatus,
    ArticleVersion,
    Deflection,
    Language,
    Problem,
    ProblemStatus,
    ProblemTicket,
    Visibility,
)

if TYPE_CHECKING:
    from accounts.models import User
    from tickets.models import Category

MAX_TITLE = 200
MAX_TEXT = 50_000
MAX_TAGS = 300
MAX_LINK = 10_000


def can_write(user: User) -> bool:
    return bool(user.is_active and user.is_support_staff)


def can_publish(user: User) -> bool:
    """Managers and L2/L3 technicians publish; L1 writes drafts for them to approve."""
    if not user.is_active:
        return False
    if user.is_manager:
        return True
    return bool(user.is_technician and user.tier and Tier.rank(user.tier) >= Tier.rank(Tier.L2))


def clean_input(value: Any, *, field: str, max_length: int, required: bool = True) -> str:
    """Text from a form or JSON body: a string (or nothing), no NUL, within `max_length`."""
    if value is not None and not isinstance(value, str):
        raise field_error(field, _("Expected text."))
    text = (value or "").strip()
    if "\x00" in text:
        raise field_error(field, _("The text contains a NUL character."))
    if required and not text:
        raise field_error(field, _("This field is required."), code="required")
    if len(text) > max_length:
        raise field_error(
            field, _("At most %(max)d characters, got %(n)d.") % {"max": max_length, "n": len(text)}
        )
    return text


def _choice(value: Any, *, field: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise field_error(field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
    return str(value)


def _tags(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    text = clean_input(value, field="tags", max_length=MAX_TAGS, required=False)
    return ", ".join(dict.fromkeys(t.strip().lower() for t in text.split(",") if t.strip()))


def _check_status(*, actor: User, status: str) -> None:
    if status == ArticleStatus.PUBLISHED and not can_publish(actor):
        raise NotAllowed(_("Level 1 writes drafts; a Level 2 or 3 technician publishes them."))


def _save_version(article: Article, *, editor: User) -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        title=article.title,
        body=article.body,
        tags=article.tags,
        language=article.language,
        visibility=article.visibility,
        status=article.status,
        editor=editor,
        created_at=timezone.now(),
    )
    search.refresh_vectors(Article.objects.filter(pk=article.pk))


def article_create(
    *,
    author: User,
    title: Any,
    body: Any,
    language: Any = Language.EN,
    visibility: Any = Visibility.INTERNAL,
    status: Any = ArticleStatus.DRAFT,
    tags: Any = "",
    category: Category | None = None,
    source_ticket: Ticket | None = None,
) -> Article:
    if not can_write(author):
        raise NotAllowed(_("Only the support team writes articles."))
    fields = {
        "title": clean_input(title, field="title", max_length=MAX_TITLE),
        "body": clean_input(body, field="body", max_length=MAX_TEXT),
        "language": _choice(language, field="language", choices=Language.values),
        "visibility": _choice(visibility, field="visibility", choices=Visibility.values),
        "status": _choice(
            status, field="status", choices=[ArticleStatus.DRAFT, ArticleStatus.PUBLISHED]
        ),
        "tags": _tags(tags),
    }
    _check_status(actor=author, status=fields["status"])
    now = timezone.now()
    with transaction.atomic():
        article = Article.objects.create(
            **fields,
            category=category,
            author=author,
            reviewer=author if fields["status"] == ArticleStatus.PUBLISHED else None,
            published_at=now if fields["status"] == ArticleStatus.PUBLISHED else None,
            source_ticket=source_ticket,
        )
        _save_version(article, editor=author)
    return article


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def article_update(*, article: Article, editor: User, data: dict[str, Any]) -> Article:
    """Change any of title, body, tags, language, visibility, status; a new version."""
    if not can_write(editor):
        raise NotAllowed(_("Only the support team edits articles."))
    cleaned: dict[str, Any] = {}
    if "title" in data:
        cleaned["title"] = clean_input(data["title"], field="title", max_length=MAX_TITLE)
    if "body" in data:
        cleaned["body"] = clean_input(data["body"], field="body", max_length=MAX_TEXT)
    if "tags" in data:
        cleaned["tags"] = _tags(data["tags"])
    if "language" in data:
        cleaned["language"] = _choice(data["language"], field="language", choices=Language.values)
    if "visibility" in data:
        cleaned["visibility"] = _choice(
            data["visibility"], field="visibility", choices=Visibility.values
        )
    if "status" in data:
        cleaned["status"] = _choice(data["status"], field="status", choices=ArticleStatus.values)
    if "category" in data:
        cleaned["category"] = data["category"]
    with transaction.atomic():
        article = _locked(article)
        status = cleaned.get("status", article.status)
        if status == ArticleStatus.PUBLISHED and (
            article.status != ArticleStatus.PUBLISHED or cleaned.keys() - {"category"}
        ):
            # Publishing, or changing what customers may already read, needs a reviewer.
            _check_status(actor=editor, status=status)
        changed = [k for k, v in cleaned.items() if getattr(article, k) != v]
        if not changed:
            return article
        for key in changed:
            setattr(article, key, cleaned[key])
        if "status" in changed and status == ArticleStatus.PUBLISHED:
            article.published_at = timezone.now()
            article.reviewer = editor
            changed += ["published_at", "reviewer"]
        article.version += 1
        article.save(update_fields=[*changed, "version", "updated_at"])
        _save_version(article, editor=editor)
    return article


def article_publish(*, article: Article, actor: User) -> Article:
    """Approve a draft (or an archived article) for readers; the actor is its reviewer."""
    if article.status == ArticleStatus.PUBLISHED:
        raise Conflict(_("This article is already published."), code="already_published")
    return article_update(article=article, editor=actor, data={"status": ArticleStatus.PUBLISHED})


def deflection_record(*, article: Article, user: User, token: Any) -> tuple[Deflection, bool]:
    """A customer accepted a suggestion: counted once per (article, form, customer)."""
    token = clean_input(token, field="token", max_length=64)
    if not Article.objects.visible_to(user).filter(pk=article.pk).exists():
        raise NotFound(_("No such article."))
    try:
        with transaction.atomic():
            row = Deflection.objects.create(
                article=article, user=user, token=token, created_at=timezone.now()
            )
    except IntegrityError:
        return Deflection.objects.get(article=article, user=user, token=token), False
    return row, True


def article_link_ticket(*, article: Article, ticket: Ticket, actor: User) -> ArticleLink:
    """A technician records the article that solved the ticket (counted per article)."""
    from tickets.permissions import can_work

    if not can_work(ticket=ticket, user=actor):
        raise NotAllowed(_("Only staff who can work this ticket link its solution."))
    if not Article.objects.visible_to(actor).filter(pk=article.pk).exists():
        raise NotFound(_("No such article."))
    link, _created = ArticleLink.objects.get_or_create(
        ticket=ticket,
        article=article,
        defaults={"linked_by": actor, "created_at": timezone.now()},
    )
    return link


def article_draft_from_ticket(*, ticket: Ticket, author: User) -> Article:
    """Turn a resolved ticket into a draft article: the problem and its resolution."""
    from tickets.permissions import can_work

    from .selectors import resolution_of

    if not can_work(ticket=ticket, user=author):
        raise NotAllowed(_("Only staff who can work this ticket can write from it."))
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        raise Conflict(_("Only a resolved ticket becomes an article."), code="ticket_not_resolved")
    resolution = resolution_of([ticket]).get(ticket.pk)
    body = "\n\n".join(
        [
            "## " + _("Problem"),
            ticket.description,
            "## " + _("Solution"),
            resolution.body if resolution else _("(describe the solution)"),
        ]
    )
    language = author.language if author.language in Language.values else Language.EN
    return article_create(
        author=author,
        title=ticket.subject,
        body=body,
        language=language,
        visibility=Visibility.INTERNAL,
        status=ArticleStatus.DRAFT,
        category=ticket.category,
        source_ticket=ticket,
    )


# ------------------------------------------------------------------ known problems


def problem_create(
    *,
    actor: User,
    title: Any,
    description: Any,
    workaround: Any = "",
    root_cause: Any = "",
    is_public: bool = True,
    article: Article | None = None,
) -> Problem:
    if not can_write(actor):
        raise NotAllowed(_("Only the support team records problems."))
    return Problem.objects.create(
        title=clean_input(title, field="title", max_length=MAX_TITLE),
        description=clean_input(description, field="description", max_length=MAX_TEXT),
        workaround=clean_input(workaround, field="workaround", max_length=MAX_TEXT, required=False),
        root_cause=clean_input(root_cause, field="root_cause", max_length=MAX_TEXT, required=False),
        is_public=bool(is_public),
        article=article,
        created_by=actor,
    )


PROBLEM_MOVES = {
    ProblemStatus.OPEN: {ProblemStatus.KNOWN_ERROR, ProblemStatus.CLOSED},
    ProblemStatus.KNOWN_ERROR: {ProblemStatus.OPEN, ProblemStatus.CLOSED},
    ProblemStatus.FIXED: {ProblemStatus.CLOSED},
    ProblemStatus.CLOSED: set(),
}


def problem_update(*, problem: Problem, actor: User, data: dict[str, Any]) -> Problem:
    """Edit the texts or move the status (fixed comes with a release, not by hand)."""
    if not can_write(actor):
        raise NotAllowed(_("Only the support team edits problems."))
    cleaned: dict[str, Any] = {}
    for field, required in (
        ("title", True),
        ("description", True),
        ("workaround", False),
        ("root_cause", False),
    ):
        if field in data:
            limit = MAX_TITLE if field == "title" else MAX_TEXT
            cleaned[field] = clean_input(
                data[field], field=field, max_length=limit, required=required
            )
    if "is_public" in data:
        cleaned["is_public"] = bool(data["is_public"])
    if "article" in data:
        cleaned["article"] = data["article"]
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=problem.pk)
        if "status" in data and data["status"] != problem.status:
            target = _choice(data["status"], field="status", choices=ProblemStatus.values)
            if target not in PROBLEM_MOVES[ProblemStatus(problem.status)]:
                raise Conflict(
                    _("A problem cannot go from “%(a)s” to “%(b)s”.")
                    % {"a": problem.get_status_display(), "b": ProblemStatus(target).label},
                    code="invalid_transition",
                )
            cleaned["status"] = target
        for key, value in cleaned.items():
            setattr(problem, key, value)
        if cleaned:
            problem.save(update_fields=[*cleaned, "updated_at"])
    return problem


def problem_link_tickets(*, problem: Problem, actor: User, ids: Any) -> int:
    """Link tickets (any organisation) the actor may work; returns how many were new.

    Every id must be a ticket the actor can see, or nothing is linked.
    """
    if not can_write(actor):
        raise NotAllowed(_("Only the support team links tickets to problems."))
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in ids)
    ):
        raise field_error("ids", _("Give a list of ticket ids."))
    if len(ids) > MAX_LINK:
        raise field_error("ids", _("At most %(n)d tickets at once.") % {"n": MAX_LINK})
    wanted = set(ids)
    found = set(Ticket.objects.visible_to(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    missing = sorted(wanted - found)
    if missing:
        raise field_error(
            "ids",
            _("No such tickets: %(ids)s.") % {"ids": ", ".join(map(str, missing[:20]))},
        )
    if problem.status == ProblemStatus.CLOSED:
        raise Conflict(_("This problem is closed."), code="problem_closed")
    now = timezone.now()
    with transaction.atomic():
        before = ProblemTicket.objects.filter(problem=problem).count()
        ProblemTicket.objects.bulk_create(
            [
                ProblemTicket(problem=problem, ticket_id=pk, linked_by=actor, created_at=now)
                for pk in sorted(found)
            ],
            ignore_conflicts=True,
            batch_size=2000,
        )
        Problem.objects.filter(pk=problem.pk).update(updated_at=now)
        return ProblemTicket.objects.filter(problem=problem).count() - before


def problem_unlink_ticket(*, problem: Problem, ticket: Ticket, actor: User) -> None:
    if not can_write(actor):
        raise NotAllowed(_("Only the support team links tickets to problems."))
    ProblemTicket.objects.filter(problem=problem, ticket=ticket).delete()
