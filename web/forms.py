"""Browser forms: they validate shape; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Tier
from common.errors import ApplicationError
from common.ids import IdFormField
from reports.selectors import MAX_DAYS, validate_period_day
from tickets.expected import NOT_GIVEN
from tickets.models import Category, Priority, Status
from tickets.priority import Level


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one control; the upload checks live in tickets.uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def apply_service_error(form: forms.Form, error: ApplicationError) -> None:
    """Show a refused write next to the field it concerns (or above the form)."""
    if not error.fields:
        form.add_error(None, error.detail)
    for field, messages in error.fields.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


@dataclass
class Submission:
    """What became of a form: `done` once its service ran, else the form to show again."""

    form: forms.Form
    status: int = 200
    done: bool = False
    result: Any = None


def submit_form(
    request: HttpRequest,
    form_class: type[forms.Form],
    action: Callable[[dict[str, Any]], Any],
    *,
    initial: dict[str, Any] | None = None,
) -> Submission:
    """The one way a browser form reaches its service.

    GET: the unbound form filled with `initial`. POST: the form bound to the request; an
    invalid one is a 400 and calls nothing; a valid one calls `action(cleaned_data)` once,
    and a refusal comes back next to the field it concerns with the service's 4xx status.
    """
    if request.method != "POST":
        return Submission(form=form_class(initial=initial))
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return Submission(form=form, status=400)
    try:
        result = action(form.cleaned_data)
    except ApplicationError as error:
        apply_service_error(form, error)
        return Submission(form=form, status=error.status_code)
    return Submission(form=form, done=True, result=result)


class _CategoryOptions:
    """The category select's options, read once, when the form is rendered (not to
    validate: ticket_create looks the id up)."""

    def __init__(self) -> None:
        self._options: list[tuple[object, str]] | None = None

    def __iter__(self):
        if self._options is None:
            self._options = [("", "---------"), *Category.objects.values_list("pk", "name")]
        return iter(self._options)


class TicketCreateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, lists, `code`. Use Preview to check."),
    )
    # An id: ticket_create looks the category up (an unknown one is its field error).
    category = IdFormField(label=_("Category"), required=False, widget=forms.Select)
    impact = forms.ChoiceField(
        label=_("Impact: who is affected?"),
        choices=[
            (Level.HIGH, _("Many users, or business stopped")),
            (Level.MEDIUM, _("One team")),
            (Level.LOW, _("Only me, or a workaround exists")),
        ],
        initial=Level.LOW,
    )
    urgency = forms.ChoiceField(
        label=_("Urgency: how soon must it work?"),
        choices=[
            (Level.HIGH, _("Now: work cannot continue")),
            (Level.MEDIUM, _("Today")),
            (Level.LOW, _("This week")),
        ],
        initial=Level.MEDIUM,
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = _CategoryOptions()


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}))
    internal = forms.BooleanField(label=_("Internal note (staff only)"), required=False)
    attachments = MultipleFileField(label=_("Attachments"))


class AttachmentsForm(forms.Form):
    files = MultipleFileField(label=_("Add files"), required=True)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    expected_status = forms.ChoiceField(
        choices=Status.choices, required=False, widget=forms.HiddenInput
    )


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)


STALE_PAGE = _("This page is out of date: reload the ticket and decide again.")


class AssignForm(forms.Form):
    assignee = IdFormField(label=_("Assignee"), required=False, min_value=0)
    # Who the page showed as assignee ("" for nobody); absent: the caller says nothing.
    expected_assignee = IdFormField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        if "expected_assignee" not in self.data:
            data["expected_assignee"] = NOT_GIVEN
        return data


class AcknowledgeForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the customer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        initial=_(
            "Thank you, we have received your request and are working on it. "
            "We will get back to you as soon as we know more."
        ),
        help_text=_("Sent as a public reply; the response target is met with it."),
    )


class EscalateForm(forms.Form):
    handoff_note = forms.CharField(
        label=_("Hand-off note"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What was checked, what was tried, what the customer said."),
        error_messages={"required": _("Write a hand-off note for the next tier.")},
    )
    expected_tier = forms.ChoiceField(
        choices=Tier.choices,
        widget=forms.HiddenInput,
        error_messages={"required": STALE_PAGE, "invalid_choice": STALE_PAGE},
    )


class DeescalateForm(forms.Form):
    tier = forms.ChoiceField(label=_("Send back to"), choices=Tier.choices)
    reason = forms.CharField(
        label=_("Note for the lower tier"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Say why the ticket goes back down.")},
    )
    expected_tier = forms.ChoiceField(
        choices=Tier.choices,
        widget=forms.HiddenInput,
        error_messages={"required": STALE_PAGE, "invalid_choice": STALE_PAGE},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still not working?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": _("Tell us what is still not working.")},
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        coerce=int,
        choices=[
            (5, _("5 – very satisfied")),
            (4, _("4 – satisfied")),
            (3, _("3 – neither satisfied nor dissatisfied")),
            (2, _("2 – dissatisfied")),
            (1, _("1 – very dissatisfied")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class PortalFilterForm(forms.Form):
    """GET filters of the customer's ticket list."""

    q = forms.CharField(label=_("Search my tickets"), required=False, max_length=200)
    state = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), ("closed", _("Solved and closed"))],
    )


class QueueFilterForm(forms.Form):
    """GET filters of the technician queue; every field optional."""

    tier = forms.ChoiceField(label=_("Tier"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any active")), ("all", _("Any status"))] + Status.choices,
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=[("", _("Any"))] + Priority.choices
    )
    organisation = IdFormField(label=_("Organisation"), required=False)
    who = forms.ChoiceField(
        label=_("Assignee"),
        required=False,
        choices=[
            ("", _("Anyone")),
            ("mine", _("Mine")),
            ("unassigned", _("Unassigned")),
            ("handed_off", _("Handed off by me")),
        ],
    )
    vip = forms.BooleanField(label=_("VIP only"), required=False)

    def __init__(self, *args, tiers: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Tier.choices)
        choices = [(t, labels[t]) for t in reversed(tiers)]
        if len(tiers) > 1:
            choices.append(("all", _("All my tiers")))
        self.fields["tier"].choices = choices


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput({"type": "date"}),
        validators=[validate_period_day],
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput({"type": "date"}),
        validators=[validate_period_day],
    )
    organisation = IdFormField(label=_("Organisation"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and abs((end - start).days) >= MAX_DAYS:
            raise forms.ValidationError(
                _("Choose at most %(days)s days.") % {"days": MAX_DAYS}, code="too_long"
            )
        return data
