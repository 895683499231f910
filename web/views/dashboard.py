"""The manager's SLA dashboard, each table also downloadable as CSV."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.models import Organisation
from reports.csv_export import csv_response
from reports.selectors import dashboard_figures

from ..forms import DashboardFilterForm
from ..queue_figures import figure_links

DEFAULT_DAYS = 14
TABLES = (
    "compliance_by_tier",
    "compliance_by_priority",
    "breaches_per_day",
    "first_response_by_tier",
    "escalation_rates",
    "backlog_by_age",
    "at_risk",
    "workload",
    "csat_by_tier",
    "csat_by_technician",
    "csat_comments",
)


@login_required
@require_GET
def dashboard(request):
    if not request.user.is_manager:
        raise PermissionDenied
    form = DashboardFilterForm(request.GET)
    valid = form.is_valid()
    data = form.cleaned_data if valid else {}
    today = timezone.localdate()
    end = data.get("end") or today
    start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
    figures = dashboard_figures(
        user=request.user, start=start, end=end, organisation=data.get("organisation")
    )
    if valid and request.GET.get("format") == "csv":
        return _csv(figures, request.GET.get("table", ""), start, end)
    peak = max((row["breaches"] for row in figures["breaches_per_day"]), default=0)
    tables = figure_links(figures, start=start, end=end, organisation=data.get("organisation"))
    context = {
        "form": form,
        "figures": figures,
        "tables": tables,
        "start": start,
        "end": end,
        "today": today.isoformat(),
        "bars": [
            {**row, "height": _bar_height(row["breaches"], peak)}
            for row in tables["breaches_per_day"]
        ],
        "peak": peak,
        "organisations": Organisation.objects.order_by("name").only("id", "name"),
        "selected_organisation": data.get("organisation"),
        "csv_query": request.GET.urlencode(),
    }
    # An impossible period shows the default one with the reason, as a 400.
    return render(request, "web/dashboard.html", context, status=200 if valid else 400)


def _bar_height(value: int, peak: int) -> int:
    """A height step (0–20) so bars are drawn by CSS classes, not inline styles."""
    return round(20 * value / peak) if peak else 0


def _csv(figures: dict, table: str, start: dt.date, end: dt.date) -> HttpResponse:
    if table not in TABLES:
        raise Http404("No such table.")
    rows = figures[table]
    return csv_response(
        filename=f"{table}_{start}_{end}.csv", fieldnames=list(rows[0]) if rows else [], rows=rows
    )
