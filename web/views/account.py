"""The signed-in user's own account pages: API tokens (list, create, revoke)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.sites.shortcuts import get_current_site
from django.core.validators import MaxValueValidator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import ApiToken
from accounts.services import api_token_create, api_tokens_revoke, password_reset_request
from common.ids import parse_id


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"), min_value=1, initial=90
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        longest = settings.TIERDESK_API_TOKEN_MAX_DAYS
        field = self.fields["expires_in_days"]
        field.initial = settings.TIERDESK_API_TOKEN_DAYS
        field.validators.append(MaxValueValidator(longest))
        field.widget.attrs["max"] = longest


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
    return render(
        request, "web/api_tokens.html", {"form": form, "tokens": tokens, "new_key": new_key}
    )


@login_required
@require_POST
def api_token_revoke(request, token_id: str):
    pk = parse_id(token_id)
    if pk is None:
        raise Http404
    tokens = ApiToken.objects.filter(user=request.user, pk=pk)
    if not api_tokens_revoke(tokens=tokens, reason="revoked by its owner"):
        raise Http404
    messages.success(request, _("The token was revoked."))
    return redirect("api-tokens")


class PasswordResetView(auth_views.PasswordResetView):
    """Queues the mail (accounts.tasks) instead of sending it while the visitor waits."""

    def form_valid(self, form):
        password_reset_request(
            email=form.cleaned_data["email"],
            domain=get_current_site(self.request).domain,
            use_https=self.request.is_secure(),
        )
        return redirect(self.get_success_url())
