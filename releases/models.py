"""Maintenance releases: published once to every customer, fixing problems and tickets."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ReleaseQuerySet(models.QuerySet["Release"]):
    def published(self) -> ReleaseQuerySet:
        return self.filter(status=ReleaseStatus.PUBLISHED)


class Release(BaseModel):
    version = models.CharField(_("version"), max_length=50, unique=True)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("release notes"), blank=True, help_text=_("Markdown."))
    release_date = models.DateField(_("release date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True
    )
    problems = models.ManyToManyField(
        "knowledge.Problem", verbose_name=_("fixed problems"), related_name="releases", blank=True
    )
    tickets = models.ManyToManyField(
        "tickets.Ticket", through="ReleaseTicket", related_name="fixed_in_releases", blank=True
    )

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at", "-id"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        indexes = [models.Index(fields=["status", "-published_at"], name="release_published")]

    def __str__(self) -> str:
        return f"{self.version} {self.title}"

    @property
    def is_published(self) -> bool:
        return self.status == ReleaseStatus.PUBLISHED


class ReleaseTicket(models.Model):
    """A ticket marked fixed in the release directly (not through a problem)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="ticket_links")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="release_links"
    )
    created_at = models.DateTimeField(_("marked at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("ticket fixed in release")
        verbose_name_plural = _("tickets fixed in release")
        constraints = [
            models.UniqueConstraint(fields=["release", "ticket"], name="release_ticket_once")
        ]
        indexes = [models.Index(fields=["ticket"], name="release_ticket_ticket")]

    def __str__(self) -> str:
        return f"ticket {self.ticket_id} fixed in {self.release_id}"


class ReleaseReceipt(models.Model):
    """The release reached this organisation (all of them at the same moment)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="receipts")
    organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="release_receipts"
    )
    published_at = models.DateTimeField(_("published to it at"))
    notified = models.PositiveIntegerField(_("contact persons told"), default=0)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("release receipt")
        verbose_name_plural = _("release receipts")
        constraints = [
            models.UniqueConstraint(fields=["release", "organisation"], name="release_receipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.release_id} to {self.organisation_id}"


class ReleaseFix(models.Model):
    """A ticket this release resolved on publishing: written once per (release, ticket)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="fixes")
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="release_fixes"
    )
    created_at = models.DateTimeField(_("resolved at"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("ticket resolved by release")
        verbose_name_plural = _("tickets resolved by release")
        constraints = [
            models.UniqueConstraint(fields=["release", "ticket"], name="release_fix_once")
        ]

    def __str__(self) -> str:
        return f"{self.release_id} resolved ticket {self.ticket_id}"
