"""What a locked-out sign-in gets (django-axes calls `locked_out`): a 429 with Retry-After.

Locks count failures per username and per client address (AXES_LOCKOUT_PARAMETERS) and
lift after the cool-off. The page says what every failed sign-in says, so a lock tells
nobody whether an account exists.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .audit import security_event_record
from .models import SecurityEventKind

SIGN_IN_FAILED_API = "Unknown username or wrong password."
# What every failed sign-in page says (web and admin; the template spells the same text).
SIGN_IN_FAILED = _(
    "Sign-in failed: wrong username or password, or too many attempts. Please try again later."
)


def locked_out(request, original_response=None, credentials=None):
    wait = int(settings.AXES_COOLOFF_TIME.total_seconds())
    security_event_record(
        kind=SecurityEventKind.LOCKED_OUT,
        request=request,
        username=str((credentials or {}).get("username", "")),
    )
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "invalid_credentials", "detail": SIGN_IN_FAILED_API}, status=429
        )
    else:
        response = render(request, "registration/login.html", {"failed": True}, status=429)
    response["Retry-After"] = str(wait)
    return response
