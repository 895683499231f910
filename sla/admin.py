"""Admin for the SLA configuration, usable by managers (not only superusers).

Agreement targets are validated as a whole table in the inline formset:
positive minutes, the complete L1–L3 × P1–P4 response and P1–P4 resolution
tables, and a complete VIP table if any VIP target is given. Saving queues a
background recompute of running clocks (see sla.receivers).
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from common.admin import ReadOnlyAdminMixin

from .models import Agreement, Calendar, Clock, ClockPause, ClosedDate, Target
from .validation import TargetRow, target_table_errors


class ClosedDateInline(admin.TabularInline):
    model = ClosedDate
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "always_open", "holiday_country", "holiday_subdivision"]
    search_fields = ["name"]
    inlines = [ClosedDateInline]


class TargetFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("kind"):
                continue
            rows.append(
                TargetRow(
                    kind=data["kind"],
                    tier=data.get("tier") or "",
                    priority=data.get("priority") or "",
                    vip=bool(data.get("vip")),
                    minutes=data.get("minutes"),
                )
            )
        errors = target_table_errors(rows)
        if errors:
            raise ValidationError(errors)


class TargetInline(admin.TabularInline):
    model = Target
    formset = TargetFormSet
    extra = 0
    fields = ["kind", "tier", "priority", "vip", "minutes"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "is_default", "calendar", "warning_percent"]
    list_select_related = ["organisation", "calendar"]
    list_filter = ["is_default", "calendar"]
    search_fields = ["name", "organisation__name"]
    inlines = [TargetInline]


class ClockPauseInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ClockPause
    extra = 0
    readonly_fields = ["started_at", "ended_at", "business_seconds"]


@admin.register(Clock)
class ClockAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: clocks change only through ticket services and the sweep."""

    list_display = [
        "ticket",
        "kind",
        "tier",
        "cycle",
        "agreement",
        "started_at",
        "due_at",
        "met_at",
        "breached_at",
        "paused_at",
        "stopped_at",
    ]
    list_filter = ["kind", "tier"]
    list_select_related = ["ticket", "agreement"]
    raw_id_fields = ["ticket"]
    inlines = [ClockPauseInline]
