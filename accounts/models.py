"""Users, their roles and support tiers, and customer organisations."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import BaseModel


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Tier(models.TextChoices):
    """Support levels; a higher level sees its own tickets and those below."""

    L1 = "L1", _("Level 1")
    L2 = "L2", _("Level 2")
    L3 = "L3", _("Level 3")

    @classmethod
    def up_to(cls, tier: str) -> list[str]:
        """The tiers at or below `tier`, lowest first."""
        values = [t.value for t in cls]
        return values[: values.index(tier) + 1]

    @classmethod
    def next_above(cls, tier: str) -> str | None:
        values = [t.value for t in cls]
        index = values.index(tier)
        return values[index + 1] if index + 1 < len(values) else None

    @classmethod
    def rank(cls, tier: str) -> int:
        return [t.value for t in cls].index(tier) + 1


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    TECHNICIAN = "technician", _("Technician")
    MANAGER = "manager", _("Manager")


class Organisation(BaseModel):
    """A customer company or department; its contact persons see all its tickets."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """Anyone who signs in: customers, technicians of a tier, managers."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, blank=True, default="")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    is_organisation_contact = models.BooleanField(
        _("organisation contact person"),
        default=False,
        help_text=_("Sees every ticket of the organisation."),
    )
    is_vip = models.BooleanField(_("VIP"), default=False, help_text=_("C-level user."))
    is_team_lead = models.BooleanField(_("team lead"), default=False)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("en", "English"), ("de", "Deutsch")],
        blank=True,
        default="",
        help_text=_("Empty: follow the browser's language."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )

    class Meta(AbstractUser.Meta):
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="technician") & ~models.Q(tier=""))
                | (~models.Q(role="technician") & models.Q(tier="")),
                name="user_tier_only_for_technicians",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER and not self.is_superuser

    @property
    def is_technician(self) -> bool:
        return self.role == Role.TECHNICIAN

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER or self.is_superuser

    @property
    def is_support_staff(self) -> bool:
        """Technicians, managers and admins: the people who work tickets."""
        return self.is_technician or self.is_manager

    @property
    def visible_tiers(self) -> list[str]:
        """Tiers whose tickets this user may see and work."""
        if self.is_manager:
            return [t.value for t in Tier]
        if self.is_technician and self.tier:
            return Tier.up_to(self.tier)
        return []

    def save(self, *args, **kwargs) -> None:
        if self.role == Role.MANAGER and not self.is_staff:
            # Managers work in the admin (agreements, calendars, rules, users).
            self.is_staff = True
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.role == Role.TECHNICIAN and not self.tier:
            raise ValidationError({"tier": _("A technician needs a tier.")})
        if self.role != Role.TECHNICIAN and self.tier:
            raise ValidationError({"tier": _("Only technicians have a tier.")})
