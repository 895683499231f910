"""Business calendars, agreements with their targets, and the clocks they drive."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier, validate_time_zone
from common.models import BaseModel
from tickets.models import Priority


class Calendar(BaseModel):
    """Working hours in a time zone, public holidays by country, custom closed dates."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    always_open = models.BooleanField(
        _("24×7"), default=False, help_text=_("Counts elapsed time; hours and holidays ignored.")
    )
    # {"0": [["09:00", "17:00"]], …, "4": [["09:00", "12:00"], ["13:00", "17:00"]]}; 0 = Monday.
    hours = models.JSONField(_("weekly hours"), default=dict, blank=True)
    holiday_country = models.CharField(
        _("holiday country"), max_length=2, blank=True, help_text=_("ISO code, e.g. DE.")
    )
    holiday_subdivision = models.CharField(
        _("holiday subdivision"), max_length=10, blank=True, help_text=_("e.g. BE for Berlin.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """Every save checks the hours (forms and services call clean() first anyway): a
        calendar no deadline can be computed with never reaches the database this way."""
        from .validation import validate_hours

        if not self.always_open:
            validate_hours(self.hours, time_zone=self.time_zone)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """Refuse what would make deadlines impossible: no working time, bad hours, bad codes."""
        from .policies import public_holidays
        from .validation import validate_hours

        super().clean()
        if not self.always_open:
            validate_hours(self.hours, time_zone=self.time_zone)
        self.holiday_country = (self.holiday_country or "").upper()
        self.holiday_subdivision = (self.holiday_subdivision or "").upper()
        if self.holiday_subdivision and not self.holiday_country:
            raise ValidationError({"holiday_country": _("A subdivision needs a country.")})
        try:
            public_holidays(
                country=self.holiday_country, subdivision=self.holiday_subdivision, years=[2026]
            )
        except NotImplementedError as error:
            field = "holiday_subdivision" if self.holiday_subdivision else "holiday_country"
            raise ValidationError({field: str(error)}) from None


class ClosedDate(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="closed_dates")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="closed_date_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Agreement(BaseModel):
    """An SLA policy: per organisation, or the default for everyone else."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="agreement",
        null=True,
        blank=True,
    )
    is_default = models.BooleanField(_("default agreement"), default=False)
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="agreements")
    warning_percent = models.PositiveSmallIntegerField(_("warning at % of target"), default=80)
    vip_route_to_l2 = models.BooleanField(_("route VIP requesters straight to L2"), default=False)
    pause_on_hold = models.BooleanField(_("pause clocks while on hold"), default=False)
    acknowledge_needs_message = models.BooleanField(
        _("acknowledging needs a message to the customer"),
        default=True,
        help_text=_(
            "On: an acknowledgement meets the response target only with a public message. "
            "Off: acknowledging alone meets it."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_agreement"
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="agreement_warning_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.is_default and self.organisation_id:
            raise ValidationError(
                _(
                    "The default agreement applies to everyone without their own agreement; "
                    "it cannot belong to one organisation."
                )
            )


class ClockKind(models.TextChoices):
    RESPONSE = "response", _("Response")
    RESOLUTION = "resolution", _("Resolution")
    # Started by a customer's message (or a reopen), met by the next public staff reply.
    NEXT_RESPONSE = "next_response", _("Next response")


class Target(models.Model):
    """Minutes of business time: response per (tier, priority), resolution and next response
    per priority."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=16, choices=ClockKind.choices)
    tier = models.CharField(max_length=2, choices=Tier.choices, blank=True)
    priority = models.CharField(max_length=2, choices=Priority.choices)
    vip = models.BooleanField(_("VIP target"), default=False)
    minutes = models.PositiveIntegerField(_("minutes"))

    class Meta:
        ordering = ["agreement", "kind", "vip", "tier", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind", "tier", "priority", "vip"], name="target_unique"
            ),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="target_minutes_positive"),
            models.CheckConstraint(
                condition=(Q(kind="response") & ~Q(tier=""))
                | (Q(kind__in=["resolution", "next_response"]) & Q(tier="")),
                name="target_tier_only_for_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.tier} {self.priority}: {self.minutes} min"


# The one definition of a running clock (counting down: not met, breached, paused or stopped)
# and of an owed one (not yet met or stopped: running, paused or breached). The partial
# indexes and the sweep's queries use these; `Clock.is_running` is RUNNING for an instance,
# which the sweep's claim checks on the clocks it read under lock.
_RUNNING_FIELDS = {
    "met_at__isnull": True,
    "breached_at__isnull": True,
    "paused_at__isnull": True,
    "stopped_at__isnull": True,
}
RUNNING = Q(**_RUNNING_FIELDS)
WARNABLE = Q(warned_at__isnull=True, **_RUNNING_FIELDS)
OWED = Q(met_at__isnull=True, stopped_at__isnull=True)


class ClockQuerySet(models.QuerySet):
    def running(self) -> ClockQuerySet:
        return self.filter(RUNNING)

    def owed(self) -> ClockQuerySet:
        return self.filter(OWED)

    def warnable(self) -> ClockQuerySet:
        """Running and not warned yet (the warning sweep's clocks)."""
        return self.filter(WARNABLE)


class Clock(models.Model):
    """One SLA clock of a ticket: a response clock per tier entered, a resolution clock, a
    next-response clock per customer message waiting for an answer (one owed at a time).

    `due_at`/`warn_at` are absolute instants already shifted by paused business
    time, so "what is due before T" is one index range scan over running clocks.
    """

    # clock_ticket_kind and the per-cycle constraint lead with the ticket: no index of its own.
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="clocks", db_index=False
    )
    kind = models.CharField(max_length=16, choices=ClockKind.choices)
    tier = models.CharField(max_length=2, choices=Tier.choices, blank=True)
    cycle = models.PositiveSmallIntegerField(
        default=1,
        help_text=_(
            "Counts re-entries: a tier entered again, a reopened ticket, another customer message."
        ),
    )
    agreement = models.ForeignKey(
        Agreement, on_delete=models.SET_NULL, related_name="clocks", null=True
    )
    target_minutes = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.FloatField(default=0, help_text=_("Business time spent paused."))
    stopped_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Ended without being met (e.g. the ticket left the tier)."),
    )

    objects = ClockQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "tier", "cycle"], name="clock_unique_per_cycle"
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], name="clock_running_due", condition=RUNNING),
            models.Index(
                fields=["warn_at"],
                name="clock_running_warn",
                condition=WARNABLE,
            ),
            models.Index(fields=["ticket", "kind"], name="clock_ticket_kind"),
            # The dashboard reads clocks by period: started in it, or breached in it.
            models.Index(fields=["started_at"], name="clock_started"),
            models.Index(
                fields=["breached_at"],
                name="clock_breached",
                condition=Q(breached_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.tier} clock of ticket {self.ticket_id}"

    @property
    def is_running(self) -> bool:
        return not (self.met_at or self.breached_at or self.paused_at or self.stopped_at)


class ClockPause(models.Model):
    """Ledger of pauses, kept so a clock's history survives later changes."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    business_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]

    def __str__(self) -> str:
        return f"pause of clock {self.clock_id} from {self.started_at}"
