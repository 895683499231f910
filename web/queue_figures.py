"""The queue filters behind the dashboard's figures: every number there links to its tickets.

`from`/`to` are local days of the reader (as on the dashboard) and bound what the figure is
about: the clock's start with `clock`, its breach with `breached_on`, the resolution with
`rated`, the escalation with `escalated_from`, the tier entry with `entered`. Scoping stays
the queue's (`ticket_list(user=…)`); these only narrow it. Bad values are a 400 with the
reason, never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import BigIntegerField, Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier, User
from escalation.models import Escalation, EscalationKind
from reports.selectors import AGE_BUCKETS, MAX_DAYS, validate_period_day
from sla.models import Clock, ClockKind
from tickets.models import EventKind, TicketEvent

FIGURE_FIELDS = (
    "from",
    "to",
    "clock",
    "clock_tier",
    "outcome",
    "breached_on",
    "escalated_from",
    "entered",
    "rated",
    "age",
    "assignee",
    "overdue",
)


def _day_field(label) -> forms.DateField:
    return forms.DateField(label=label, required=False, validators=[validate_period_day])


class FigureFilterForm(forms.Form):
    clock = forms.ChoiceField(
        label=_("SLA clock"),
        required=False,
        choices=[("", "—"), ("any", _("Any clock"))] + ClockKind.choices,
    )
    clock_tier = forms.ChoiceField(
        label=_("Clock tier"), required=False, choices=[("", "—")] + Tier.choices
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[
            ("", "—"),
            ("met", _("Met on time")),
            ("breached", _("Breached")),
            ("answered", _("Answered")),
            ("unanswered", _("Breached, never answered")),
        ],
    )
    breached_on = _day_field(_("Breached on"))
    escalated_from = forms.ChoiceField(
        label=_("Escalated from"),
        required=False,
        choices=[("", "—"), (Tier.L1, "L1"), (Tier.L2, "L2")],
    )
    entered = forms.ChoiceField(
        label=_("Entered tier"),
        required=False,
        choices=[("", "—"), (Tier.L1, "L1"), (Tier.L2, "L2")],
    )
    rated = forms.ChoiceField(
        label=_("Rating"),
        required=False,
        choices=[("", "—"), ("any", _("Rated")), ("satisfied", _("Satisfied (4–5)"))],
    )
    age = forms.ChoiceField(
        label=_("Age"),
        required=False,
        choices=[
            ("", "—"),
            ("age_under_1d", _("< 1 day")),
            ("age_1_to_3d", _("1–3 days")),
            ("age_3_to_7d", _("3–7 days")),
            ("age_over_7d", _("> 7 days")),
        ],
    )
    assignee = forms.CharField(label=_("Assignee"), required=False, max_length=150)
    overdue = forms.BooleanField(label=_("SLA breached"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword: the fields are added under their URL names.
        self.fields["from"] = _day_field(_("From"))
        self.fields["to"] = _day_field(_("To"))

    def chips(self) -> list[tuple[str, str]]:
        """(label, value) of each filter in use, choices by their human name."""
        shown = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not value:
                continue
            if isinstance(field, forms.ChoiceField):
                value = dict(field.choices).get(value, value)
            elif isinstance(field, forms.BooleanField):
                value = _("yes")
            elif isinstance(value, User):
                value = value.get_full_name() or value.username
            shown.append((str(field.label), str(value)))
        return shown

    def clean_assignee(self) -> User | None:
        username = self.cleaned_data.get("assignee")
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not user.is_support_staff:
            raise forms.ValidationError(_("No such technician."), code="unknown")
        return user

    def clean(self):
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and (end < start or (end - start).days >= MAX_DAYS):
            raise forms.ValidationError(
                _("Choose a period of at most %(days)s days that ends after it starts.")
                % {"days": MAX_DAYS},
                code="period",
            )
        if data.get("clock_tier") or data.get("outcome"):
            data["clock"] = data.get("clock") or "any"
        return data


def has_figure_filters(data) -> bool:
    return any(data.get(name) for name in FIGURE_FIELDS)


def _instant(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _period(data: dict[str, Any], field: str) -> Q:
    """`field` within the local days from/to (either end open)."""
    condition = Q()
    if data.get("from"):
        condition &= Q(**{f"{field}__gte": _instant(data["from"])})
    if data.get("to"):
        condition &= Q(**{f"{field}__lt": _instant(data["to"] + dt.timedelta(days=1))})
    return condition


def apply_figure_filters(tickets: QuerySet, data: dict[str, Any], *, now: dt.datetime):
    """Narrow the queue to the tickets behind one dashboard figure (the same definitions as
    reports.rollups: one subquery per condition, each served by an index)."""
    if data.get("clock"):
        clocks = Clock.objects.filter(_period(data, "started_at"), ticket=OuterRef("pk"))
        if data["clock"] != "any":
            clocks = clocks.filter(kind=data["clock"])
        if data.get("clock_tier"):
            clocks = clocks.filter(tier=data["clock_tier"], kind=ClockKind.RESPONSE)
        clocks = _outcome(clocks, data.get("outcome"))
        tickets = tickets.filter(Exists(clocks))
    if data.get("breached_on"):
        day = data["breached_on"]
        breached = Clock.objects.filter(
            ticket=OuterRef("pk"),
            breached_at__gte=_instant(day),
            breached_at__lt=_instant(day + dt.timedelta(days=1)),
        )
        tickets = tickets.filter(Exists(breached))
    if data.get("escalated_from"):
        low = data["escalated_from"]
        high = Tier.values[Tier.values.index(low) + 1]
        moved = Escalation.objects.filter(
            _period(data, "created_at"), ticket=OuterRef("pk"), from_tier=low, to_tier=high
        ).exclude(kind=EscalationKind.DEESCALATION)
        tickets = tickets.filter(Exists(moved))
    if data.get("entered"):
        entries = TicketEvent.objects.filter(
            _period(data, "created_at"),
            ticket=OuterRef("pk"),
            kind__in=[EventKind.CREATED, EventKind.TIER],
            after__tier=data["entered"],
        )
        tickets = tickets.filter(Exists(entries))
    if data.get("rated"):
        tickets = tickets.filter(_period(data, "resolved_at"), satisfaction_rating__isnull=False)
        if data["rated"] == "satisfied":
            tickets = tickets.filter(satisfaction_rating__gte=4)
    if data.get("age"):
        for name, younger, older in AGE_BUCKETS:
            if name == data["age"]:
                if younger is not None:
                    tickets = tickets.filter(created_at__lte=now - younger)
                if older is not None:
                    tickets = tickets.filter(created_at__gt=now - older)
    if data.get("assignee"):
        tickets = tickets.filter(assignee=data["assignee"])
    if data.get("overdue"):
        tickets = tickets.filter(sla_breached=True)
    return tickets


def _outcome(clocks: QuerySet[Clock], outcome: str | None) -> QuerySet[Clock]:
    """The dashboard's outcomes (reports.rollups): met on time; breached; answered (met on
    time, or late with its "met" history entry); breached and never answered."""
    if not outcome:
        return clocks
    if outcome == "met":
        return clocks.filter(met_at__isnull=False, breached_at__isnull=True)
    if outcome == "breached":
        return clocks.filter(breached_at__isnull=False)
    late = Exists(
        TicketEvent.objects.filter(ticket_id=OuterRef("ticket_id"), kind=EventKind.CLOCK_MET)
        .annotate(met_clock=Cast(KT("after__clock"), BigIntegerField()))
        .filter(met_clock=OuterRef("pk"))
    )
    clocks = clocks.filter(kind=ClockKind.RESPONSE).annotate(late=late)
    if outcome == "answered":
        return clocks.filter(Q(met_at__isnull=False) | Q(breached_at__isnull=False, late=True))
    return clocks.filter(breached_at__isnull=False).exclude(late=True)


def figure_links(
    figures: dict[str, Any], *, start: dt.date, end: dt.date, organisation: int | None
) -> dict[str, list[dict[str, Any]]]:
    """The dashboard's rows, each with `links`: the queue URL of every number's tickets."""
    queue = reverse("queue")
    period = {"status": "all", "from": start.isoformat(), "to": end.isoformat()}
    scope = {"organisation": organisation} if organisation else {}

    def link(base: dict[str, str] | None = None, **params: Any) -> str:
        return f"{queue}?{urlencode({**(period if base is None else base), **params, **scope})}"

    now: dict[str, str] = {}  # the "now" tables: active tickets, no period
    tables: dict[str, list[dict[str, Any]]] = {}

    def rows(name: str, make) -> None:
        tables[name] = [{**row, "links": make(row)} for row in figures[name]]

    def outcomes(**clock: str):
        return {"met": link(outcome="met", **clock), "breached": link(outcome="breached", **clock)}

    rows(
        "compliance_by_tier",
        lambda r: outcomes(clock=ClockKind.RESPONSE, clock_tier=r["tier"]),
    )
    rows("compliance_by_priority", lambda r: outcomes(clock="any", priority=r["priority"]))
    rows(
        "breaches_per_day",
        lambda r: {"breaches": link({"status": "all"}, breached_on=r["day"])},
    )
    rows(
        "first_response_by_tier",
        lambda r: {
            "responses": link(clock_tier=r["tier"], outcome="answered"),
            "breached_unanswered": link(clock_tier=r["tier"], outcome="unanswered"),
        },
    )
    rows(
        "escalation_rates",
        lambda r: {
            "entered": link(entered=r["from_tier"]),
            "escalated": link(escalated_from=r["from_tier"]),
        },
    )
    rows(
        "backlog_by_age",
        lambda r: {
            **{name: link(now, tier=r["tier"], age=name) for name, _y, _o in AGE_BUCKETS},
            "total": link(now, tier=r["tier"]),
        },
    )
    rows(
        "workload",
        lambda r: {
            "open": link(now, assignee=r["technician"]),
            "breached": link(now, assignee=r["technician"], overdue="on"),
        },
    )
    rows("csat_by_tier", lambda r: {"ratings": link(rated="any", tier=r["tier"])})
    rows(
        "csat_by_technician",
        lambda r: {"ratings": link(rated="any", assignee=r["technician"])},
    )
    return tables
