from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from knowledge.models import Problem, ProblemStatus

_REF = re.compile(r"(?:HD-?)?(\d{1,18})", re.IGNORECASE | re.ASCII)


class ReleaseForm(forms.Form):
    version = forms.CharField(label=_("Version"), max_length=50)
    title = forms.CharField(label=_("Title"), max_length=200)
    notes = forms.CharField(
        label=_("Release notes"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=50_000,
        required=False,
        help_text=_("Markdown."),
    )
    release_date = forms.DateField(
        label=_("Release date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    problems = forms.ModelMultipleChoiceField(
        label=_("Problems it fixes"),
        queryset=Problem.objects.filter(status__in=[ProblemStatus.OPEN, ProblemStatus.KNOWN_ERROR]),
        required=False,
    )
    tickets = forms.CharField(
        label=_("Tickets it fixes directly"),
        max_length=20_000,
        required=False,
        help_text=_("References or ids, separated by spaces or commas."),
    )

    def clean_tickets(self) -> list[int]:
        return sorted({int(m) for m in _REF.findall(self.cleaned_data.get("tickets") or "")})
