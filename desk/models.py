"""Technician tools: canned replies (macros) and saved queue views."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel
from tickets.models import Priority, Status


class Macro(BaseModel):
    """A canned reply: shared (no owner, managed by managers) or personal to a technician.

    The body is Markdown with placeholders such as {requester_name}; translations
    give the body in other languages. Applying it may also set status and priority.
    """

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="macros",
        null=True,
        blank=True,
        help_text=_("Empty: shared with all staff."),
    )
    body = models.TextField(_("text"), help_text=_("Markdown with placeholders."))
    internal = models.BooleanField(_("internal note"), default=False)
    set_status = models.CharField(
        _("then set status"), max_length=20, choices=Status.choices, blank=True
    )
    set_priority = models.CharField(
        _("then set priority"), max_length=2, choices=Priority.choices, blank=True
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        constraints = [
            models.UniqueConstraint(
                fields=["name"], condition=Q(owner__isnull=True), name="macro_shared_name_unique"
            ),
            models.UniqueConstraint(fields=["owner", "name"], name="macro_personal_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None


class MacroTranslation(models.Model):
    macro = models.ForeignKey(Macro, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(
        _("language"), max_length=8, choices=[("en", "English"), ("de", "Deutsch")]
    )
    body = models.TextField(_("text"))

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(fields=["macro", "language"], name="macro_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.macro_id} {self.language}"


class SavedView(BaseModel):
    """A technician's own queue view: the queue's filters and a sort order, by name."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=60)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    sort = models.CharField(_("sort"), max_length=20, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_per_user")
        ]

    def __str__(self) -> str:
        return self.name


class QueueMemory(models.Model):
    """The queue view a user used last, opened again when they come back to the queue."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_memory"
    )
    view = models.CharField(max_length=40)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.view}"
