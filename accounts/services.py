"""Writes about people and their access: password-reset mail, API tokens, the audit log."""

from __future__ import annotations

from django.contrib.auth.forms import PasswordResetForm


def password_reset_send(*, email: str, domain: str, use_https: bool) -> None:
    """Mail a reset link to every active account with this address (none: nothing happens).

    Runs in a worker (accounts.tasks), so the page answers in the same time whether or
    not the address is registered.
    """
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)
