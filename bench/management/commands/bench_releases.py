"""Benchmark known-solution search among many articles and publishing a release that fixes
many tickets. Everything runs in one transaction that is rolled back at the end."""

from __future__ import annotations

import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation, Role, User
from knowledge import search
from knowledge.models import Article, ArticleStatus, Problem, ProblemTicket, Visibility
from releases.services import release_create, release_publish
from tickets import signals
from tickets.models import Status, Ticket

TOPICS = [
    ("VPN connection drops", "vpn, network", "Switch the VPN protocol to TCP."),
    ("Printer shows offline", "printing", "Restart the print spooler."),
    ("Outlook does not sync", "email", "Rebuild the offline cache."),
    ("Drucker druckt nicht", "drucken", "Druckwarteschlange neu starten."),
    ("Passwort vergessen", "konto", "Im Self-Service-Portal zurücksetzen."),
    ("Laptop battery drains fast", "hardware, power", "Lower the screen brightness."),
    ("Kalender synchronisiert nicht", "outlook", "Konto neu hinzufügen."),
    ("Teams microphone not working", "audio", "Pick the right input device."),
    ("Reset your password", "account, login", "Use the self-service portal."),
    ("Bildschirm flackert", "monitor", "Kabel tauschen."),
]
QUERIES = [
    ("vpn drops", None),
    ("printer offline", None),
    ("Druckers", "de"),
    ("Passwörter vergessen", "de"),
    ("outlook sync", "en"),
    ("battery", None),
    ("pasword reset", None),
    ("microphone teams", "en"),
]


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Time article search among --articles articles and publishing a release fixing --tickets."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=10_000)
        parser.add_argument("--tickets", type=int, default=10_000)
        parser.add_argument("--rounds", type=int, default=20, help="Searches per query.")

    def handle(self, *args, articles: int, tickets: int, rounds: int, **options):
        if min(articles, tickets, rounds) < 1:
            raise CommandError("--articles, --tickets and --rounds must be at least 1.")
        self.stdout.write(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        try:
            with transaction.atomic():
                author = User.objects.create(
                    username="bench-kb-manager", role=Role.MANAGER, email="m@example.com"
                )
                self._search(author, articles, rounds)
                self._publish(author, tickets)
                raise _Rollback
        except _Rollback:
            self.stdout.write("(all benchmark rows rolled back)")

    def _search(self, author: User, count: int, rounds: int) -> None:
        started = time.perf_counter()
        rows = []
        for n in range(count):
            title, tags, body = TOPICS[n % len(TOPICS)]
            language = (
                "de"
                if any(c in title for c in "äöüß")
                or title.split()[0]
                in (
                    "Drucker",
                    "Passwort",
                    "Kalender",
                )
                else "en"
            )
            rows.append(
                Article(
                    title=f"{title} ({n})",
                    tags=tags,
                    body=f"{body} Case {n}: "
                    + " ".join(f"word{n % 977} term{n % 313}" for _ in range(20)),
                    language=language,
                    visibility=Visibility.PUBLIC,
                    status=ArticleStatus.PUBLISHED,
                    author=author,
                )
            )
        Article.objects.bulk_create(rows, batch_size=2000)
        search.refresh_vectors(Article.objects.all())
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE knowledge_article")
        self.stdout.write(
            f"{count:,} articles written and indexed in {time.perf_counter() - started:.1f} s"
        )
        articles = Article.objects.filter(
            status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC
        )
        for text, language in QUERIES:
            scope = articles.filter(language=language) if language else articles
            timings = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                found = search.top(scope, text, limit=10)
                search.snippets(found, text)
                timings.append((time.perf_counter() - t0) * 1000)
            self.stdout.write(
                f"search {text!r:28} median {statistics.median(timings):6.1f} ms  "
                f"p95 {sorted(timings)[int(len(timings) * 0.95) - 1]:6.1f} ms  "
                f"first hit: {found[0].title if found else '-'}"
            )

    def _publish(self, manager: User, count: int) -> None:
        org = Organisation.objects.create(name="Bench releases org", time_zone="Europe/Berlin")
        requester = User.objects.create(
            username="bench-release-customer",
            role=Role.CUSTOMER,
            organisation=org,
            email="c@example.com",
            is_organisation_contact=True,
        )
        started = time.perf_counter()
        tickets = Ticket.objects.bulk_create(
            [
                Ticket(
                    subject=f"Export crashes {n}",
                    description="x",
                    requester=requester,
                    organisation=org,
                    status=Status.OPEN,
                )
                for n in range(count)
            ],
            batch_size=2000,
        )
        signals.tickets_bulk_created.send(sender=Ticket, tickets=tickets)
        problem = Problem.objects.create(title="Export bug", description="crash")
        ProblemTicket.objects.bulk_create(
            [ProblemTicket(problem=problem, ticket=t, created_at=t.created_at) for t in tickets],
            batch_size=2000,
        )
        release = release_create(
            actor=manager, version="bench-1", title="Bench", problems=[problem.pk]
        )
        self.stdout.write(
            f"{count:,} open tickets with clocks linked to one problem in "
            f"{time.perf_counter() - started:.1f} s"
        )
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            release_publish(release=release, actor=manager)
            elapsed = time.perf_counter() - t0
        resolved = Ticket.objects.filter(
            pk__in=[t.pk for t in tickets], status=Status.RESOLVED
        ).count()
        self.stdout.write(
            f"publish: {resolved:,} tickets resolved in {elapsed:.1f} s ({len(queries):,} queries)"
        )
