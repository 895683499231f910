"""Tickets, their conversation, files and append-only history."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from common.models import BaseModel

if TYPE_CHECKING:
    from datetime import datetime

    from accounts.models import User

REFERENCE_PREFIX = "HD-"
REFERENCE_RE = re.compile(r"^\s*HD-?([0-9]{1,12})\s*$", re.IGNORECASE | re.ASCII)


class Priority(models.TextChoices):
    P1 = "P1", _("P1 critical")
    P2 = "P2", _("P2 high")
    P3 = "P3", _("P3 normal")
    P4 = "P4", _("P4 low")

    @classmethod
    def raised(cls, priority: str) -> str:
        """One step more urgent; P1 stays P1."""
        values = [p.value for p in cls]
        return values[max(values.index(priority) - 1, 0)]


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING_CUSTOMER = "pending_customer", _("Waiting for customer")
    ON_HOLD = "on_hold", _("On hold")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")

    @classmethod
    def active(cls) -> list[str]:
        """Statuses in which somebody still owes the customer work."""
        return [cls.NEW, cls.OPEN, cls.PENDING_CUSTOMER, cls.ON_HOLD]


# The statuses the queue's partial indexes cover (the same as Status.active()).
QUEUE_STATUSES = ["new", "open", "pending_customer", "on_hold"]


class Category(BaseModel):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class TicketQuerySet(models.QuerySet["Ticket"]):
    def visible_to(self, user: User) -> TicketQuerySet:
        """The one place that decides which tickets a user may see.

        Customers: their own (and their organisation's if a contact person);
        technicians: their tier and below, plus (read only) every ticket they
        worked on; managers and admins: everything. Acting stays tier-bound
        (tickets.permissions.can_work).
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_manager:
            return self.all()
        if user.is_technician:
            return self.filter(
                Q(tier__in=user.visible_tiers) | self._watched_by(user) | self.worked_on_by(user)
            )
        scope = Q(requester=user)
        if user.is_organisation_contact and user.organisation_id:
            scope |= Q(organisation_id=user.organisation_id)
        if user.organisation_id:
            # A customer copied in sees the ticket while still of its organisation.
            scope |= self._watched_by(user) & Q(organisation_id=user.organisation_id)
        return self.filter(scope)

    @staticmethod
    def _watched_by(user: User) -> Q:
        """Watchers see the ticket too (customers are only ever added within the
        ticket's organisation, so this never widens a customer beyond it)."""
        return Q(Exists(Watcher.objects.filter(ticket_id=OuterRef("pk"), user_id=user.pk)))

    @staticmethod
    def worked_on_by(user: User) -> Q:
        """Tickets a technician took part in: replied, noted, acknowledged, escalated,
        was assigned (now or before). One probe of the participation table's unique
        (ticket, user) index per ticket, so it stays flat however long the history grows."""
        return Q(assignee_id=user.pk) | Q(
            Exists(Participation.objects.filter(ticket_id=OuterRef("pk"), user_id=user.pk))
        )

    def active(self) -> TicketQuerySet:
        return self.filter(status__in=Status.active())

    def by_reference(self, reference: str) -> TicketQuerySet:
        ticket_id = Ticket.id_from_reference(reference)
        return self.filter(pk=ticket_id) if ticket_id else self.none()


class Ticket(BaseModel):
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), help_text=_("Markdown."))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        db_index=False,  # ticket_requester_created leads with it (one index less to write)
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="tickets",
        null=True,
        blank=True,
        db_index=False,  # ticket_org_created leads with it
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        related_name="tickets",
        null=True,
        blank=True,
    )
    priority = models.CharField(
        _("priority"), max_length=2, choices=Priority.choices, default=Priority.P3
    )
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, default=Tier.L1)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        null=True,
        blank=True,
        db_index=False,  # ticket_assignee_status leads with it
    )
    is_vip = models.BooleanField(
        _("VIP requester"), default=False, help_text=_("Copied from the requester on creation.")
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)

    # Denormalised SLA state, kept current by the SLA engine in the same
    # transaction as the clock it mirrors, so lists sort and filter on indexed
    # columns of one table instead of joining clocks per row.
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolution_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The owed next-response clock (a customer's message waiting for an answer).
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True)
    next_response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_breached = models.BooleanField(_("SLA breached"), default=False)
    sla_paused = models.BooleanField(_("SLA paused"), default=False)
    # The earliest of the deadlines above, stored so the queue's urgency order
    # (breached first, then nearest due) is an index scan instead of a sort of every row.
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True, editable=False)

    satisfaction_rating = models.PositiveSmallIntegerField(
        _("satisfaction rating"), null=True, blank=True
    )
    satisfaction_comment = models.TextField(_("satisfaction comment"), blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["tier", "status"], name="ticket_tier_status"),
            # The ticket list's default order (newest first, the id breaking ties): its pages
            # are read in index order even when many tickets share one creation time (an
            # import), where `created_at` alone leaves every tied row to a sort.
            models.Index(fields=["created_at", "id"], name="ticket_created_id"),
            models.Index(fields=["requester", "-created_at"], name="ticket_requester_created"),
            models.Index(fields=["organisation", "-created_at"], name="ticket_org_created"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["response_due_at"], name="ticket_response_due"),
            models.Index(fields=["resolution_due_at"], name="ticket_resolution_due"),
            # The queue: active tickets by urgency, within one tier or across all visible.
            models.Index(
                "tier",
                models.F("sla_breached").desc(),
                models.F("next_due_at").asc(),  # NULLs sort last in ascending PostgreSQL indexes
                "id",
                name="ticket_queue_tier_urgency",
                condition=Q(status__in=QUEUE_STATUSES),
            ),
            models.Index(
                models.F("sla_breached").desc(),
                models.F("next_due_at").asc(),  # NULLs sort last in ascending PostgreSQL indexes
                "id",
                name="ticket_queue_urgency",
                condition=Q(status__in=QUEUE_STATUSES),
            ),
            # The VIP view (few rows): its page and its count without reading the others.
            models.Index(
                models.F("sla_breached").desc(),
                models.F("next_due_at").asc(),
                "id",
                name="ticket_queue_vip",
                condition=Q(status__in=QUEUE_STATUSES, is_vip=True),
            ),
            # The dashboard: rated tickets by resolution (ratings not rolled up yet, the
            # comments), and the active tickets by tier, age, assignee and breach for the
            # backlog and the workload (one index-only scan on PostgreSQL).
            models.Index(
                fields=["resolved_at"],
                name="ticket_rated_resolved",
                condition=Q(satisfaction_rating__isnull=False),
            ),
            models.Index(
                fields=["tier", "created_at"],
                include=["assignee", "sla_breached", "organisation"],
                name="ticket_active_tier_created",
                condition=Q(status__in=QUEUE_STATUSES),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction_rating__isnull=True)
                | Q(satisfaction_rating__gte=1, satisfaction_rating__lte=5),
                name="ticket_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def answer_due_at(self) -> datetime | None:
        """When the customer is owed the next answer: the earlier of the current tier's
        response and the next-response deadline (what "Next answer by" shows)."""
        due = [d for d in (self.response_due_at, self.next_response_due_at) if d is not None]
        return min(due, default=None)

    @property
    def reference(self) -> str:
        """Human reference such as HD-000123, derived from the primary key."""
        return f"{REFERENCE_PREFIX}{self.pk:06d}" if self.pk else ""

    @staticmethod
    def id_from_reference(reference: str) -> int | None:
        match = REFERENCE_RE.match(reference or "")
        if not match:
            return None
        value = int(match.group(1))
        return value if 0 < value < 2**63 else None

    @property
    def is_active(self) -> bool:
        return self.status in Status.active()


class Reply(BaseModel):
    """One message in the conversation: public, or an internal note for staff."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="replies"
    )
    body = models.TextField(_("message"), help_text=_("Markdown."))
    internal = models.BooleanField(_("internal note"), default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        indexes = [models.Index(fields=["ticket", "created_at"], name="reply_ticket_created")]

    def __str__(self) -> str:
        kind = "note" if self.internal else "reply"
        return f"{kind} #{self.pk} on {self.ticket_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: the user's name is kept only as metadata.
    return f"attachments/{instance.ticket_id}/{uuid.uuid4().hex}"


class Attachment(BaseModel):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename

    @property
    def internal(self) -> bool:
        return bool(self.reply_id and self.reply and self.reply.internal)


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status changed")
    TIER = "tier", _("Tier changed")
    PRIORITY = "priority", _("Priority changed")
    ASSIGNEE = "assignee", _("Assignee changed")
    REPLY = "reply", _("Reply added")
    NOTE = "note", _("Internal note added")
    ATTACHMENT = "attachment", _("Attachment added")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RATED = "rated", _("Rated")
    CLOCK_STARTED = "clock_started", _("SLA clock started")
    CLOCK_PAUSED = "clock_paused", _("SLA clock paused")
    CLOCK_RESUMED = "clock_resumed", _("SLA clock resumed")
    CLOCK_RECOMPUTED = "clock_recomputed", _("SLA clock recomputed")
    CLOCK_WARNED = "clock_warned", _("SLA warning")
    CLOCK_MET = "clock_met", _("SLA clock met")
    CLOCK_BREACHED = "clock_breached", _("SLA breached")
    ESCALATED = "escalated", _("Escalated")
    DEESCALATED = "deescalated", _("De-escalated")
    NOTIFICATION = "notification", _("Notification sent")
    MERGED = "merged", _("Merged")
    LINKED = "linked", _("Linked")
    UNLINKED = "unlinked", _("Link removed")
    WATCHER_ADDED = "watcher_added", _("Watcher added")
    WATCHER_REMOVED = "watcher_removed", _("Watcher removed")
    TAGS = "tags", _("Tags changed")
    CLOCK_STOPPED = "clock_stopped", _("SLA clock stopped")
    FIXED_IN_RELEASE = "fixed_in_release", _("Fixed in a release")


class Participation(models.Model):
    """Staff who worked on a ticket (replied, noted, acknowledged, were assigned, moved it
    between tiers): they keep reading it wherever it goes. One row per ticket and person,
    written by the ticket services in the same transaction as the work (tickets.services.
    participation); `how` collects what they did as flags."""

    REPLIED = 1
    NOTED = 2
    ASSIGNED = 4
    ACKNOWLEDGED = 8
    ESCALATED = 16  # moved it to a higher tier: "Handed off by me"
    DEESCALATED = 32

    # Both columns are indexed by the constraint and the index below, in either order.
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="participants", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    how = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            # Also the index visible_to probes per ticket.
            models.UniqueConstraint(fields=["ticket", "user"], name="participation_once"),
        ]
        indexes = [
            # One person's tickets ("Handed off by me").
            models.Index(fields=["user", "ticket"], name="participation_user_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} worked on {self.ticket_id}"


class TicketEventQuerySet(models.QuerySet["TicketEvent"]):
    def visible_to(self, user: User) -> TicketEventQuerySet:
        events = self.filter(ticket__in=Ticket.objects.visible_to(user))
        if not user.is_support_staff:
            events = events.filter(internal=False)
        return events

    def update(self, **kwargs):  # type: ignore[override]
        raise TypeError("Ticket events are append-only.")


class TicketEvent(models.Model):
    """Append-only history: one row per change, written with the change."""

    # event_ticket_created leads with the ticket: no index of its own (one less per event).
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty for the system (SLA engine, escalation sweep)."),
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    internal = models.BooleanField(
        default=False, help_text=_("Shown to staff only (internal notes, routing details).")
    )
    created_at = models.DateTimeField(db_index=True)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Ticket events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ticket events are append-only.")


class Watcher(models.Model):
    """Someone copied in on a ticket: a customer's colleague (CC) or staff following it.

    Watchers see the ticket and are notified like the requester; customer watchers
    belong to the ticket's organisation (checked by the service that adds them).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="watchers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watching"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("watcher")
        verbose_name_plural = _("watchers")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="watcher_once_per_ticket"),
        ]
        indexes = [models.Index(fields=["user", "ticket"], name="watcher_user_ticket")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.ticket_id}"


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related")
    PARENT = "parent", _("Parent of")
    DUPLICATE = "duplicate", _("Duplicate of")


class TicketLink(models.Model):
    """A directed link: `source` is related to / parent of / a duplicate of `target`."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("kind"), max_length=10, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="link_once_per_pair"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="link_not_self"),
        ]
        indexes = [models.Index(fields=["target"], name="link_target")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class Tag(BaseModel):
    """A label from the staff-managed list; tickets carry any number of them."""

    name = models.CharField(_("name"), max_length=50)
    tickets = models.ManyToManyField(Ticket, related_name="tags", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci")]

    def __str__(self) -> str:
        return self.name
