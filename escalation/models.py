"""Escalation rules, the record of every escalation, and the notification outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from tickets.models import Priority


class Trigger(models.TextChoices):
    RESPONSE_WARNING = "response_warning", _("Response warning")
    RESPONSE_BREACH = "response_breach", _("Response breach")
    RESOLUTION_WARNING = "resolution_warning", _("Resolution warning")
    RESOLUTION_BREACH = "resolution_breach", _("Resolution breach")
    NEXT_RESPONSE_WARNING = "next_response_warning", _("Next response warning")
    NEXT_RESPONSE_BREACH = "next_response_breach", _("Next response breach")

    @classmethod
    def of(cls, *, clock_kind: str, breach: bool) -> Trigger:
        return cls(f"{clock_kind}_{'breach' if breach else 'warning'}")


class EscalationRule(models.Model):
    """What happens when a clock warns or breaches; managers edit these in the admin."""

    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(_("trigger"), max_length=24, choices=Trigger.choices)
    tier = models.CharField(
        _("only tier"),
        max_length=2,
        choices=Tier.choices,
        blank=True,
        help_text=_("Empty: any tier. Response clocks match on the clock's tier."),
    )
    priority = models.CharField(
        _("only priority"), max_length=2, choices=Priority.choices, blank=True
    )
    move_to_next_tier = models.BooleanField(_("move to the next tier"), default=False)
    raise_priority = models.BooleanField(_("raise priority one step"), default=False)
    assign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assign to"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        limit_choices_to={"role__in": ["technician", "manager"]},
    )
    notify_assignee = models.BooleanField(
        _("notify the assignee"),
        default=False,
        help_text=_("The tier group instead while the ticket is unassigned."),
    )
    notify_tier_group = models.BooleanField(_("notify the tier group"), default=False)
    notify_team_lead = models.BooleanField(_("notify the team lead"), default=False)
    notify_manager = models.BooleanField(_("notify managers"), default=False)
    notify_requester = models.BooleanField(_("notify the requester"), default=False)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return self.name

    def matches(self, *, trigger: str, tier: str, priority: str) -> bool:
        return (
            self.active
            and self.trigger == trigger
            and self.tier in ("", tier)
            and self.priority in ("", priority)
        )


class EscalationKind(models.TextChoices):
    WARNING = "warning", _("SLA warning")
    BREACH = "breach", _("SLA breach")
    MANUAL = "manual", _("Manual escalation")
    DEESCALATION = "deescalation", _("De-escalation")


class Escalation(models.Model):
    """Who or what escalated a ticket, from which tier to which, why and when."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="escalations"
    )
    from_tier = models.CharField(_("from tier"), max_length=2, choices=Tier.choices)
    to_tier = models.CharField(_("to tier"), max_length=2, choices=Tier.choices)
    clock = models.ForeignKey(
        "sla.Clock",
        verbose_name=_("cause clock"),
        on_delete=models.CASCADE,
        related_name="escalations",
        null=True,
        blank=True,
        help_text=_("The clock that warned or breached; empty for manual moves."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EscalationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty for the sweep."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Hand-off note or reason."))
    actions = models.JSONField(_("actions taken"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            # A retry, a second worker or a second beat cannot record one cause twice.
            models.UniqueConstraint(
                fields=["clock", "kind"], condition=Q(clock__isnull=False), name="escalation_once"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["manual", "deescalation"]) | Q(clock__isnull=False),
                name="escalation_auto_has_clock",
            ),
        ]
        indexes = [models.Index(fields=["ticket", "-created_at"], name="escalation_ticket")]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_tier}→{self.to_tier} of ticket {self.ticket_id}"

    @property
    def is_automatic(self) -> bool:
        return self.clock_id is not None


class NotificationKind(models.TextChoices):
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACH = "sla_breach", _("SLA breach / escalation")
    ESCALATED = "escalated", _("Ticket escalated to your tier")
    REPLY = "reply", _("Reply from support")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Ticket assigned to you")
    CUSTOMER_REPLY = "customer_reply", _("Customer replied")
    NEW_IN_QUEUE = "new_in_queue", _("New ticket in your queue")
    RELEASED = "released", _("A ticket of yours moved on")
    RELEASE = "release", _("Maintenance release published")
    RELEASE_FIXED = "release_fixed", _("Your ticket was fixed in a release")
    ANSWER_OWED = "answer_owed", _("A customer is waiting for an answer")

    @classmethod
    def mandatory(cls) -> set[str]:
        """Kinds nobody can switch off: customers cannot refuse maintenance releases."""
        return {cls.RELEASE, cls.RELEASE_FIXED}


class MailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately, one e-mail per notice")
    DIGEST = "digest", _("A digest: at most one e-mail per round of notices")


class Notification(models.Model):
    """The outbox: one row per message and recipient, sent by a task, never lost.

    The same row is the recipient's in-app notice (`in_app`, `read_at`) and their e-mail
    (`mail`, `sent_at`); `digest` rows are mailed together with the recipient's other
    pending digest rows, one e-mail for them all.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
        help_text=_("Empty for notices about no one ticket (a maintenance release)."),
    )
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("body"))
    cause_key = models.CharField(
        _("cause"), max_length=100, help_text=_("What caused it, e.g. clock:42:breach.")
    )
    created_at = models.DateTimeField(_("created at"))
    mail = models.BooleanField(_("by e-mail"), default=True)
    digest = models.BooleanField(
        _("in a digest"),
        default=False,
        help_text=_("Mailed in one e-mail with the recipient's other pending notices."),
    )
    in_app = models.BooleanField(_("in the app"), default=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "cause_key"], name="notification_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_unsent_mail",
                condition=Q(sent_at__isnull=True, mail=True),
            ),
            # A recipient's pending digest rows, claimed together.
            models.Index(
                fields=["recipient", "next_attempt_at"],
                name="notification_digest",
                condition=Q(sent_at__isnull=True, mail=True, digest=True),
            ),
            # The in-app list (newest first) and the unread count in every page's header.
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                name="notification_inbox",
                condition=Q(in_app=True),
            ),
            models.Index(
                fields=["recipient"],
                name="notification_unread",
                condition=Q(in_app=True, read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} about {self.ticket_id}"


class NotificationPreference(models.Model):
    """How a user gets one kind of notification, per channel (no row: both on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    mail = models.BooleanField(_("by e-mail"), default=True)
    in_app = models.BooleanField(_("in the app"), default=True)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} mail {self.mail} in-app {self.in_app} for {self.user_id}"


class NotificationSettings(models.Model):
    """A person's choice of e-mail rhythm (no row: a digest for staff; customers always get
    one e-mail per message, each about their own ticket)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_settings",
    )
    mail_mode = models.CharField(
        _("e-mail"), max_length=10, choices=MailMode.choices, default=MailMode.DIGEST
    )

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.mail_mode} for {self.user_id}"
