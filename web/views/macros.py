"""Canned replies page: technicians keep their personal ones, managers also the shared ones."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from desk.selectors import macro_list
from desk.services.macros import PLACEHOLDERS, macro_delete, macro_may_edit, macro_save
from tickets.models import Priority, Status

from ..forms import submit_form


class MacroForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    body = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    body_de = forms.CharField(
        label=gettext_lazy("German text (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    internal = forms.BooleanField(label=gettext_lazy("Send as internal note"), required=False)
    set_status = forms.ChoiceField(
        label=gettext_lazy("Then set status"),
        required=False,
        choices=[("", gettext_lazy("Leave as is"))] + Status.choices,
    )
    set_priority = forms.ChoiceField(
        label=gettext_lazy("Then set priority"),
        required=False,
        choices=[("", gettext_lazy("Leave as is"))] + Priority.choices,
    )
    shared = forms.BooleanField(label=gettext_lazy("Shared with all staff"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        self.fields["body"].help_text = _("Markdown. Placeholders: %(names)s.") % {"names": names}


def _staff(request) -> None:
    if not request.user.is_support_staff:
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def macros_page(request):
    _staff(request)
    user = request.user
    sent = submit_form(
        request,
        MacroForm,
        lambda data: macro_save(
            actor=user,
            name=data["name"],
            body=data["body"],
            shared=data["shared"],
            internal=data["internal"],
            set_status=data["set_status"],
            set_priority=data["set_priority"],
            translations={"de": data["body_de"]},
        ),
    )
    if sent.done:
        messages.success(request, _("Canned reply “%(name)s” saved.") % {"name": sent.result.name})
        return redirect("macros")
    macros = [(macro, macro_may_edit(macro=macro, user=user)) for macro in macro_list(user=user)]
    context = {"form": sent.form, "macros": macros, "may_share": user.is_manager}
    return render(request, "desk/macros.html", context, status=sent.status)


@login_required
@require_POST
def macro_remove(request, macro_id: int):
    _staff(request)
    macro = macro_list(user=request.user).filter(pk=macro_id).first()
    if macro is None:
        raise Http404("No such canned reply.")
    macro_delete(macro=macro, actor=request.user)
    messages.success(request, _("Canned reply deleted."))
    return redirect("macros")
