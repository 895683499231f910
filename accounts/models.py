"""Users, their roles and support tiers, and customer organisations."""

from __future__ import annotations

import datetime
import functools
import zoneinfo

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
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
        values = _tier_order()
        return list(values[: values.index(tier) + 1])

    @classmethod
    def next_above(cls, tier: str) -> str | None:
        values = _tier_order()
        index = values.index(tier)
        return values[index + 1] if index + 1 < len(values) else None

    @classmethod
    def rank(cls, tier: str) -> int:
        return _tier_order().index(tier) + 1


@functools.cache
def _tier_order() -> tuple[str, ...]:
    """The tiers' values, lowest first (iterating the enum per call cost a sweep batch a
    few milliseconds: it asks once per clock)."""
    return tuple(t.value for t in Tier)


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


# A change of any of these ends the user's API tokens (and is written to the audit log).
ACCESS_FIELDS = (
    "password",
    "role",
    "tier",
    "is_active",
    "is_staff",
    "is_superuser",
    "organisation_id",
    "is_organisation_contact",
)


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

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        user._access_snapshot = user._access_values()
        return user

    def _access_values(self) -> dict:
        return {f: self.__dict__[f] for f in ACCESS_FIELDS if f in self.__dict__}

    def access_changes(self, update_fields=None) -> list[str]:
        """Which of the fields that grant access differ from the row as it was loaded."""
        before = getattr(self, "_access_snapshot", None)
        if self.pk is None or before is None:
            return []
        fields = [f for f in ACCESS_FIELDS if f in before and self.__dict__.get(f) != before[f]]
        if update_fields is not None:
            names = {self._meta.get_field(f).attname for f in update_fields}
            fields = [f for f in fields if f in names]
        return fields

    def save(self, *args, **kwargs) -> None:
        if self.role == Role.MANAGER and not self.is_staff:
            # Managers work in the admin (agreements, calendars, rules, users).
            self.is_staff = True
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "is_staff"}
        changed = self.access_changes(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        self._access_snapshot = self._access_values()
        if changed:
            # Every path that changes a password or privileges (admin, API, reset and
            # change forms, management commands) ends here: API tokens die with them.
            from .services import user_access_changed

            user_access_changed(user=self, changed=changed)

    def clean(self) -> None:
        super().clean()
        if self.role == Role.TECHNICIAN and not self.tier:
            raise ValidationError({"tier": _("A technician needs a tier.")})
        if self.role != Role.TECHNICIAN and self.tier:
            raise ValidationError({"tier": _("Only technicians have a tier.")})


def _token_expiry():
    from django.conf import settings

    return timezone.now() + datetime.timedelta(days=settings.TIERDESK_API_TOKEN_DAYS)


class ApiToken(BaseModel):
    """A named API key of one user. Only a hash of the key is stored; the key is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    expires_at = models.DateTimeField(_("expires"), default=_token_expiry, db_index=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SecurityEventKind(models.TextChoices):
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    LOCKED_OUT = "locked_out", _("Locked out")
    THROTTLED = "throttled", _("Too many requests")
    ACCESS_DENIED = "access_denied", _("Access denied")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    ACCESS_CHANGED = "access_changed", _("Role or access changed")
    PERMISSIONS_CHANGED = "permissions_changed", _("Permissions changed")
    PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")


class SecurityEvent(models.Model):
    """One line of the security audit log: no secrets, single-line texts only."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=SecurityEventKind.choices)
    actor = models.ForeignKey(
        User,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.ForeignKey(
        User,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("username given"), max_length=150, blank=True, default="")
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True, default="")
    detail = models.CharField(_("detail"), max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.kind}"
