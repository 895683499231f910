"""Rate limits on the sign-in and password-reset forms (web and admin), before any work.

Per client address and per username (sign-in) or e-mail address (reset), counted
atomically; over the limit the answer is a 429 with Retry-After. Rates live beside the
API's in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]: login_ip, login_user, reset_ip,
reset_address.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import Resolver404, resolve
from rest_framework.settings import api_settings

from common.ratelimit import rate_limit_hit

from .audit import client_address, security_event_record
from .models import SecurityEventKind

# url name -> (form field naming the account, scope per address, scope per account)
LIMITED = {
    "login": ("username", "login_ip", "login_user"),
    "admin:login": ("username", "login_ip", "login_user"),
    "password_reset": ("email", "reset_ip", "reset_address"),
}


def _limited(request):
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return LIMITED.get(match.view_name)


class SignInThrottleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            rule = _limited(request)
            if rule is not None:
                wait = self._wait(request, *rule)
                if wait is not None:
                    return self._refuse(request, wait, rule)
        return self.get_response(request)

    def _wait(self, request, field, ip_scope, account_scope):
        rates = api_settings.DEFAULT_THROTTLE_RATES
        account = str(request.POST.get(field, "")).strip().lower()
        waits = [
            rate_limit_hit(
                scope=ip_scope, ident=client_address(request) or "", rate=rates.get(ip_scope)
            ),
            rate_limit_hit(scope=account_scope, ident=account, rate=rates.get(account_scope)),
        ]
        waits = [w for w in waits if w is not None]
        return max(waits) if waits else None

    def _refuse(self, request, wait, rule):
        security_event_record(
            kind=SecurityEventKind.THROTTLED,
            request=request,
            username=str(request.POST.get(rule[0], "")),
        )
        response = render(request, "registration/too_many.html", {"wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
