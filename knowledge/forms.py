"""Browser forms of articles and problems: shape only, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import Category

from .models import ArticleStatus, Language, ProblemStatus, Visibility


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=50_000,
        help_text=_("Markdown: **bold**, lists, `code`."),
    )
    tags = forms.CharField(
        label=_("Tags"), max_length=300, required=False, help_text=_("Comma-separated keywords.")
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ArticleStatus.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)


class DeflectForm(forms.Form):
    token = forms.CharField(max_length=64)


class TicketRefForm(forms.Form):
    ticket = forms.CharField(label=_("Ticket"), max_length=20)


class ProblemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), max_length=50_000
    )
    workaround = forms.CharField(
        label=_("Workaround"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=50_000,
        required=False,
    )
    root_cause = forms.CharField(
        label=_("Root cause"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=50_000,
        required=False,
    )
    is_public = forms.BooleanField(
        label=_("Customers of linked tickets see the workaround"), required=False, initial=True
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in ProblemStatus if s != ProblemStatus.FIXED],
        required=False,
    )


class LinkTicketsForm(forms.Form):
    references = forms.CharField(
        label=_("Tickets"),
        max_length=20_000,
        help_text=_("References or ids, separated by spaces or commas (HD-000123 45 …)."),
    )
