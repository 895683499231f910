"""Admin for the SLA configuration, usable by managers (not only superusers).

Agreement targets are validated as a whole table in the inline formset:
positive minutes, the complete L1–L3 × P1–P4 response and P1–P4 resolution and next-response
tables, and a complete VIP table if any VIP target is given. Saving goes through
sla.services.config (as the API does): one transaction, one touch of the parent row, one
background recompute of running clocks after the commit.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from common.admin import ReadOnlyAdminMixin

from .models import Agreement, Calendar, Clock, ClockPause, ClosedDate, Target
from .services.config import agreement_save, calendar_save
from .validation import TargetRow, target_table_errors


def _kept_rows(formset) -> list[dict]:
    """The cleaned rows an inline formset keeps (filled in, not marked for deletion)."""
    return [
        form.cleaned_data
        for form in formset.forms
        if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
    ]


class ServiceSavedAdminMixin:
    """The object and its inline rows are saved together by one service in save_related;
    the admin's own saving of the form and the formsets is skipped."""

    def save_model(self, request, obj, form, change) -> None:
        pass

    def save_related(self, request, form, formsets, change) -> None:
        self.save_through_service(form.instance, formsets)
        for formset in formsets:  # read by the admin's change message
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def save_through_service(self, obj, formsets) -> None:
        raise NotImplementedError


class ClosedDateInline(admin.TabularInline):
    model = ClosedDate
    extra = 1


@admin.register(Calendar)
class CalendarAdmin(ServiceSavedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "time_zone", "always_open", "holiday_country", "holiday_subdivision"]
    search_fields = ["name"]
    inlines = [ClosedDateInline]

    def save_through_service(self, obj, formsets) -> None:
        rows = [row for formset in formsets for row in _kept_rows(formset) if row.get("date")]
        calendar_save(calendar=obj, closed_dates=[(r["date"], r.get("name") or "") for r in rows])


def _target_row(data: dict) -> TargetRow:
    return TargetRow(
        kind=data["kind"],
        tier=data.get("tier") or "",
        priority=data.get("priority") or "",
        vip=bool(data.get("vip")),
        minutes=data.get("minutes"),
    )


class TargetFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        rows = [_target_row(data) for data in _kept_rows(self) if data.get("kind")]
        errors = target_table_errors(rows)
        if errors:
            raise ValidationError(errors)


class TargetInline(admin.TabularInline):
    model = Target
    formset = TargetFormSet
    extra = 0
    fields = ["kind", "tier", "priority", "vip", "minutes"]


@admin.register(Agreement)
class AgreementAdmin(ServiceSavedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "is_default", "calendar", "warning_percent"]
    list_select_related = ["organisation", "calendar"]
    list_filter = ["is_default", "calendar"]
    search_fields = ["name", "organisation__name"]
    inlines = [TargetInline]

    def save_through_service(self, obj, formsets) -> None:
        rows = [row for formset in formsets for row in _kept_rows(formset) if row.get("kind")]
        agreement_save(agreement=obj, targets=[_target_row(row) for row in rows])


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
