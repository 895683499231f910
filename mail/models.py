"""Mailboxes the help desk reads, every mail it took in, and addresses that bounce."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel
from tickets.models import Priority


class Security(models.TextChoices):
    SSL = "ssl", _("TLS (IMAPS, usually port 993)")
    STARTTLS = "starttls", _("STARTTLS (usually port 143)")
    NONE = "none", _("None (local test servers only)")


class UnknownSenders(models.TextChoices):
    CREATE = "create", _("Create a customer in the mailbox's organisation")
    REFUSE = "refuse", _("Refuse with a polite reply")


class ForeignReplies(models.TextChoices):
    NEW_TICKET = "new_ticket", _("Start a new ticket")
    REFUSE = "refuse", _("Refuse with a polite reply")


class AfterProcessing(models.TextChoices):
    FLAG = "flag", _("Flag it (keyword Tierdesk and \\Seen)")
    MOVE = "move", _("Move it to the processed folder")


class Mailbox(BaseModel):
    """An IMAP mailbox a manager configured; its password is stored encrypted."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("IMAP host"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("user name"), max_length=255)
    password_encrypted = models.TextField(_("password (encrypted)"), blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation of new customers"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category of new tickets"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    priority = models.CharField(
        _("priority of new tickets"),
        max_length=2,
        choices=[(p, label) for p, label in Priority.choices if p != Priority.P1],
        default=Priority.P3,
    )
    unknown_senders = models.CharField(
        _("mail from unknown senders"),
        max_length=10,
        choices=UnknownSenders.choices,
        default=UnknownSenders.REFUSE,
    )
    foreign_replies = models.CharField(
        _("replies from addresses that may not see the ticket"),
        max_length=10,
        choices=ForeignReplies.choices,
        default=ForeignReplies.NEW_TICKET,
    )
    after_processing = models.CharField(
        _("processed mail"),
        max_length=10,
        choices=AfterProcessing.choices,
        default=AfterProcessing.FLAG,
        help_text=_("Processed mail is never deleted."),
    )
    processed_folder = models.CharField(
        _("processed folder"), max_length=255, default="Tierdesk", blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    polling_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_polled_at = models.DateTimeField(_("last polled at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.name


class Outcome(models.TextChoices):
    TICKET = "ticket", _("New ticket")
    REPLY = "reply", _("Reply on a ticket")
    AUTOMATIC = "automatic", _("Automatic or bulk mail, ignored")
    BOUNCE = "bounce", _("Bounce")
    REFUSED = "refused", _("Refused")
    RATE_LIMITED = "rate_limited", _("Sender over the rate limit")
    QUARANTINED = "quarantined", _("Quarantined")


def original_path(instance: InboundMail, filename: str) -> str:
    return f"mail/{instance.mailbox_id}/{uuid.uuid4().hex}.eml"


class InboundMail(models.Model):
    """One mail taken from a mailbox, once: unique per (mailbox, Message-ID)."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="mails")
    message_id = models.CharField(_("Message-ID"), max_length=255)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    reason = models.TextField(_("reason"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.SET_NULL,
        related_name="inbound_mails",
        null=True,
        blank=True,
    )
    reply = models.ForeignKey(
        "tickets.Reply", on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    original = models.FileField(_("original"), upload_to=original_path, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received mail")
        verbose_name_plural = _("received mails")
        constraints = [
            models.UniqueConstraint(fields=["mailbox", "message_id"], name="inbound_mail_once")
        ]
        indexes = [
            models.Index(fields=["sender", "received_at"], name="inbound_mail_sender"),
            models.Index(fields=["message_id"], name="inbound_mail_message_id"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.outcome})"


class FailingAddress(models.Model):
    """An address mail to which bounced; staff see it, the desk knows it is failing."""

    email = models.CharField(_("e-mail address"), max_length=254, unique=True)
    reason = models.TextField(_("reason"), blank=True)
    bounces = models.PositiveIntegerField(_("bounces"), default=1)
    failed_at = models.DateTimeField(_("last bounce at"))

    class Meta:
        ordering = ["-failed_at"]
        verbose_name = _("failing address")
        verbose_name_plural = _("failing addresses")

    def __str__(self) -> str:
        return self.email
