"""Writes of maintenance releases: drafting, and publishing to every customer at once.

Publishing is claimed once (a conditional update of the draft), so two managers
publishing together, or a retry, publish and notify once: the second gets a 409
and changes nothing. In the same transaction every organisation's receipt is
written, every contact person is told through the notification outbox (one row per
person and release: unique cause), every ticket fixed in the release (directly or
through a problem it fixes) is resolved through the ticket status service with the
release named, and the problems move to fixed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from common.errors import Conflict, NotAllowed, field_error
from escalation.models import NotificationKind
from escalation.services.notify import Cause, Message, notifications_write
from knowledge.models import Problem, ProblemStatus, ProblemTicket
from knowledge.services import can_publish, clean_input
from tickets import events
from tickets.models import Status, Ticket, Watcher
from tickets.services import tickets_change_status

from . import signals
from .models import Release, ReleaseFix, ReleaseReceipt, ReleaseStatus, ReleaseTicket

if TYPE_CHECKING:
    from datetime import date, datetime

MAX_TEXT = 50_000
MAX_IDS = 10_000
# Tickets resolved per batch while publishing; each batch costs the same number of queries.
BATCH = 500


def _ids(value: Any, *, field: str) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in value
    ):
        raise field_error(field, _("Give a list of ids."))
    if len(value) > MAX_IDS:
        raise field_error(field, _("At most %(n)d ids at once.") % {"n": MAX_IDS})
    return sorted(set(value))


def release_create(
    *,
    actor: User,
    version: Any,
    title: Any,
    notes: Any = "",
    release_date: date | None = None,
    problems: Any = None,
    tickets: Any = None,
) -> Release:
    """A draft release naming the problems it fixes and the tickets it fixes directly."""
    if not can_publish(actor):
        raise NotAllowed(_("Managers and Level 2/3 technicians prepare releases."))
    version = clean_input(version, field="version", max_length=50)
    title = clean_input(title, field="title", max_length=200)
    notes = clean_input(notes, field="notes", max_length=MAX_TEXT, required=False)
    problem_ids = _ids(problems, field="problems")
    ticket_ids = _ids(tickets, field="tickets")
    found_problems = set(Problem.objects.filter(pk__in=problem_ids).values_list("pk", flat=True))
    if missing := sorted(set(problem_ids) - found_problems):
        raise field_error("problems", _("No such problems: %(ids)s.") % {"ids": missing[:20]})
    visible = Ticket.objects.visible_to(actor).filter(pk__in=ticket_ids)
    found_tickets = set(visible.values_list("pk", flat=True))
    if missing := sorted(set(ticket_ids) - found_tickets):
        raise field_error("tickets", _("No such tickets: %(ids)s.") % {"ids": missing[:20]})
    with transaction.atomic():
        if Release.objects.select_for_update().filter(version=version).exists():
            raise field_error("version", _("A release %(v)s exists already.") % {"v": version})
        release = Release.objects.create(
            version=version,
            title=title,
            notes=notes,
            release_date=release_date,
            created_by=actor,
        )
        release.problems.set(found_problems)
        release_mark_fixed(release=release, actor=actor, ids=sorted(found_tickets))
    return release


def release_mark_fixed(*, release: Release, actor: User, ids: Sequence[int]) -> int:
    """Mark tickets fixed in a draft release directly; returns how many were new."""
    if release.is_published:
        raise Conflict(_("This release is already published."), code="already_published")
    now = timezone.now()
    rows = ReleaseTicket.objects.bulk_create(
        [ReleaseTicket(release=release, ticket_id=pk, created_at=now) for pk in ids],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return len(rows)


def release_publish(*, release: Release, actor: User) -> Release:
    """Publish to every customer at once; see the module docstring. A second call is a 409."""
    if not (actor.is_active and actor.is_manager):
        raise NotAllowed(_("Only managers publish releases."))
    now = timezone.now()
    with transaction.atomic():
        claimed = Release.objects.filter(pk=release.pk, status=ReleaseStatus.DRAFT).update(
            status=ReleaseStatus.PUBLISHED, published_at=now, published_by=actor, updated_at=now
        )
        if claimed != 1:
            raise Conflict(_("This release is already published."), code="already_published")
        release = Release.objects.get(pk=release.pk)
        told = _tell_every_organisation(release=release, now=now)
        _write_receipts(release=release, now=now, told=told)
        resolved = _resolve_fixed_tickets(release=release, actor=actor, now=now)
        fixed = _fix_problems(release=release, now=now)
        # Last, so listeners (webhooks) read the release as publishing left it.
        signals.release_published.send(
            sender=Release, release=release, resolved=resolved, problems=fixed
        )
    return release


# ------------------------------------------------------------------ the parts of publishing


def _contacts() -> Iterable[User]:
    return User.objects.filter(
        role=Role.CUSTOMER,
        is_active=True,
        is_organisation_contact=True,
        organisation__isnull=False,
    ).only("id", "email", "is_active", "language", "organisation_id", "role", "is_superuser")


def _in_language(user: User) -> str:
    return user.language or settings.LANGUAGE_CODE


def release_notice(release: Release) -> tuple[str, str]:
    """Subject and body of the notice every contact person gets (active language)."""
    subject = _("Maintenance release %(version)s: %(title)s") % {
        "version": release.version,
        "title": release.title,
    }
    body = "\n\n".join(
        [
            _("Maintenance release %(version)s is now available to every customer.")
            % {"version": release.version},
            release.notes,
            _("Maintenance releases come at no charge and reach every customer at once."),
            f"{settings.SITE_URL.rstrip('/')}/releases/{release.pk}/",
        ]
    )
    return subject, body


def _tell_every_organisation(*, release: Release, now: datetime) -> Counter[int]:
    """One outbox row per contact person (unique cause: told once per release and person)."""
    contacts = list(_contacts())
    texts: dict[str, tuple[str, str]] = {}
    messages = []
    for user in contacts:
        language = _in_language(user)
        if language not in texts:
            with translation.override(language):
                texts[language] = release_notice(release)
        subject, body = texts[language]
        messages.append(Message(user, NotificationKind.RELEASE, subject, body))
    notifications_write(causes=[Cause(messages, None, f"release:{release.pk}")], now=now)
    return Counter(u.organisation_id for u in contacts if u.email)


def _write_receipts(*, release: Release, now: datetime, told: Counter[int]) -> None:
    ReleaseReceipt.objects.bulk_create(
        [
            ReleaseReceipt(release=release, organisation_id=pk, published_at=now, notified=told[pk])
            for pk in Organisation.objects.values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )


def fixed_ticket_ids(*, release: Release) -> list[int]:
    """Active tickets fixed in the release, directly or through a problem it fixes."""
    problem_ids = list(release.problems.values_list("pk", flat=True))
    return list(
        Ticket.objects.filter(
            Q(release_links__release=release)
            | Q(pk__in=ProblemTicket.objects.filter(problem_id__in=problem_ids).values("ticket_id"))
        )
        .filter(status__in=Status.active())
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def _resolve_fixed_tickets(*, release: Release, actor: User, now: datetime) -> int:
    """Resolve every fixed ticket in batches; each batch costs a fixed number of queries."""
    ids = fixed_ticket_ids(release=release)
    resolved = 0
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        tickets = list(Ticket.objects.filter(pk__in=batch).order_by("pk"))
        # The "fixed in release" notice below is the requester's and watchers' one mail.
        outcomes = tickets_change_status(
            tickets=tickets, actor=actor, status=Status.RESOLVED, notify=False
        )
        done = [o.ticket for o in outcomes if o.ok]
        ReleaseFix.objects.bulk_create(
            [ReleaseFix(release=release, ticket_id=t.pk, created_at=now) for t in done],
            ignore_conflicts=True,
        )
        events.insert(
            [
                events.fixed_in_release(
                    ticket=t, actor=actor, release_id=release.pk, version=release.version
                )
                for t in done
            ]
        )
        _tell_requesters(release=release, tickets=done, now=now)
        resolved += len(done)
    return resolved


def _tell_requesters(*, release: Release, tickets: list[Ticket], now: datetime) -> None:
    watchers: dict[int, list[User]] = {}
    for watcher in Watcher.objects.filter(ticket__in=tickets).select_related("user"):
        watchers.setdefault(watcher.ticket_id, []).append(watcher.user)
    requesters = User.objects.in_bulk({t.requester_id for t in tickets})
    causes = []
    for ticket in tickets:
        people = [requesters[ticket.requester_id], *watchers.get(ticket.pk, [])]
        messages = []
        for person in people:
            with translation.override(_in_language(person)):
                subject, body = fixed_notice(release=release, ticket=ticket)
            messages.append(Message(person, NotificationKind.RELEASE_FIXED, subject, body))
        causes.append(Cause(messages, ticket, f"release:{release.pk}:fixed:{ticket.pk}"))
    notifications_write(causes=causes, now=now)


def fixed_notice(*, release: Release, ticket: Ticket) -> tuple[str, str]:
    subject = _("[%(ref)s] Fixed in release %(version)s") % {
        "ref": ticket.reference,
        "version": release.version,
    }
    body = "\n\n".join(
        [
            _(
                "Your ticket %(ref)s “%(subject)s” is fixed in maintenance release %(version)s "
                "and has been resolved. If the problem is still there, reply to reopen it."
            )
            % {"ref": ticket.reference, "subject": ticket.subject, "version": release.version},
            f"{settings.SITE_URL.rstrip('/')}/releases/{release.pk}/",
        ]
    )
    return subject, body


def _fix_problems(*, release: Release, now: datetime) -> list[Problem]:
    """Move the release's open problems to fixed; returns them as they are now."""
    problems = list(
        release.problems.filter(status__in=[ProblemStatus.OPEN, ProblemStatus.KNOWN_ERROR])
    )
    Problem.objects.filter(pk__in=[p.pk for p in problems]).update(
        status=ProblemStatus.FIXED, fixed_at=now, updated_at=now
    )
    for problem in problems:
        problem.status, problem.fixed_at, problem.updated_at = ProblemStatus.FIXED, now, now
    return problems
