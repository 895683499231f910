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
from escalation.models import NotificationKind, NotificationPreference
from escalation.services.notify import notification_preference_set

from ..forms import apply_service_error

# What each audience is ever sent; release notices are not listed because nobody can
# refuse them (the page says so).
CUSTOMER_KINDS = (NotificationKind.REPLY, NotificationKind.STATUS)
STAFF_KINDS = tuple(kind for kind in NotificationKind if kind not in NotificationKind.mandatory())


def notice_kinds(user) -> tuple[str, ...]:
    return STAFF_KINDS if user.is_support_staff else CUSTOMER_KINDS


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

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[f"notify_{kind}"] = forms.BooleanField(
                label=NotificationKind(kind).label, required=False
            )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    kinds = notice_kinds(user)
    switched_off = set(
        NotificationPreference.objects.filter(user=user, enabled=False).values_list(
            "kind", flat=True
        )
    )
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "time_zone": user.time_zone,
        **{f"notify_{kind}": kind not in switched_off for kind in kinds},
    }
    form = ProfileForm(request.POST or None, initial=initial, kinds=kinds)
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
                    for kind in kinds:
                        notification_preference_set(
                            user=user, kind=kind, enabled=data[f"notify_{kind}"]
                        )
            except ApplicationError as error:
                apply_service_error(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Profile saved."))
                return redirect("profile")
        else:
            status = 400
    return render(
        request,
        "web/profile.html",
        {"form": form, "notice_fields": [form[f"notify_{kind}"] for kind in kinds]},
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
