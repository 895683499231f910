"""The signed-in user's profile (name, language, time zone, notices) and the language switch."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.services import user_language_set, user_profile_update
from common.errors import ApplicationError
from escalation.models import MailMode
from escalation.selectors import mail_mode, notice_choices
from escalation.services.preferences import Choice, notification_preferences_set

from ..forms import apply_service_error


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), required=False)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        choices=[
            ("", gettext_lazy("The browser's language")),
            ("en", "English"),
            ("de", "Deutsch"),
        ],
    )
    time_zone = forms.CharField(
        label=gettext_lazy("Time zone"),
        help_text=gettext_lazy("For example Europe/Berlin or America/New_York."),
    )

    def __init__(self, *args, choices=(), staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["mail_mode"] = forms.ChoiceField(
                label=gettext_lazy("E-mail me"), choices=MailMode.choices, widget=forms.RadioSelect
            )
        for choice in choices:
            # Mandatory kinds always come by e-mail: shown ticked, not editable.
            self.fields[f"mail_{choice.kind}"] = forms.BooleanField(
                label=choice.label, required=False, disabled=choice.mandatory
            )
            self.fields[f"app_{choice.kind}"] = forms.BooleanField(
                label=choice.label, required=False
            )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    staff = user.is_support_staff
    choices = notice_choices(user=user)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "time_zone": user.time_zone,
        **{f"mail_{c.kind}": c.mail for c in choices},
        **{f"app_{c.kind}": c.in_app for c in choices},
    }
    if staff:
        initial["mail_mode"] = mail_mode(user=user)
    form = ProfileForm(request.POST or None, initial=initial, choices=choices, staff=staff)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                # One write: the profile and every notice choice, or nothing.
                with transaction.atomic():
                    user_profile_update(
                        user=user,
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        language=data["language"],
                        time_zone=data["time_zone"].strip(),
                    )
                    notification_preferences_set(
                        user=user,
                        choices=[
                            Choice(c.kind, data[f"mail_{c.kind}"], data[f"app_{c.kind}"])
                            for c in choices
                        ],
                        mail_mode=data.get("mail_mode"),
                    )
            except ApplicationError as error:
                apply_service_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Profile saved."))
                return redirect("profile")
        else:
            status = 400
    rows = [(c, form[f"mail_{c.kind}"], form[f"app_{c.kind}"]) for c in choices]
    return render(
        request,
        "web/profile.html",
        {"form": form, "notice_rows": rows, "staff": staff},
        status=status,
    )


@require_POST
def language_switch(request):
    """The switch at the foot of every page: saved on the account when signed in, else in
    the language cookie LocaleMiddleware reads."""
    language = request.POST.get("language", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    if language not in ("en", "de"):
        return HttpResponseBadRequest(_("Choose English or German."))
    response = redirect(back)
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    else:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response
