"""Writes about people and their access: password-reset mail, API tokens, access changes."""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError, NotAllowed, field_error
from common.text import single_line

from .audit import one_line, security_event_record
from .models import ApiToken, SecurityEventKind, User, validate_time_zone

log = logging.getLogger(__name__)

MAX_TOKENS_PER_USER = 20
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def password_reset_send(*, email: str, domain: str, use_https: bool) -> None:
    """Mail a reset link to every active account with this address (none: nothing happens).

    Runs in a worker (accounts.tasks), so the page answers in the same time whether or
    not the address is registered.
    """
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https)


def password_reset_request(*, email: str, domain: str, use_https: bool) -> None:
    """Queue the reset mail after commit and return at once: the answer takes the same time
    whether or not the address is registered (no lookup, no SMTP in the request). A broker
    outage is logged; the person may ask again."""
    from .tasks import send_password_reset

    security_event_record(kind=SecurityEventKind.PASSWORD_RESET_REQUESTED, username=email)

    def queue() -> None:
        try:
            send_password_reset.apply_async((email, domain, use_https), retry=False)
        except Exception:  # noqa: BLE001 - any broker failure; never a 500 for the visitor
            log.warning("Broker unavailable; a password-reset mail was not queued")

    transaction.on_commit(queue)


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(
    *, user: User, name: str = "", expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new named token for `user`; returns it and its key (shown this once, stored hashed)."""
    max_days = settings.TIERDESK_API_TOKEN_MAX_DAYS
    days = settings.TIERDESK_API_TOKEN_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= max_days:
        message = _("Expiry must be between 1 and %(max)d days.") % {"max": max_days}
        raise ApplicationError(message, fields={"expires_in_days": [message]})
    if not user.is_active:
        raise NotAllowed(_("Inactive accounts get no tokens."))
    key = secrets.token_hex(20)
    name = one_line(name.strip(), limit=100) or _("API token %(prefix)s") % {"prefix": key[:8]}
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        # At the limit the least recently used tokens make room, so a script that asks for a
        # token on every run (as with the single token of old) never gets stuck.
        surplus = ApiToken.objects.filter(user=user).order_by(
            F("last_used_at").asc(nulls_first=True), "created_at", "id"
        )
        excess = surplus.count() - (MAX_TOKENS_PER_USER - 1)
        if excess > 0:
            oldest = list(surplus.values_list("pk", flat=True)[:excess])
            api_tokens_revoke(
                tokens=ApiToken.objects.filter(pk__in=oldest),
                reason=f"least recently used of more than {MAX_TOKENS_PER_USER}",
            )
        token = ApiToken.objects.create(
            user=user,
            name=name,
            key_hash=token_hash(key),
            prefix=key[:8],
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        security_event_record(
            kind=SecurityEventKind.TOKEN_CREATED,
            subject=user,
            detail=f"{token.name} ({token.prefix}…), expires {token.expires_at:%Y-%m-%d}",
        )
    return token, key


def api_tokens_revoke(*, tokens: QuerySet[ApiToken], reason: str) -> int:
    """Delete the given tokens, one audit line each; returns how many were revoked."""
    with transaction.atomic():
        doomed = list(tokens.select_related("user").select_for_update(of=("self",)))
        for token in doomed:
            security_event_record(
                kind=SecurityEventKind.TOKEN_REVOKED,
                subject=token.user,
                detail=f"{token.name} ({token.prefix}…): {reason}",
            )
        ApiToken.objects.filter(pk__in=[t.pk for t in doomed]).delete()
    return len(doomed)


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """The live token with this key, its user active; notes when it was used."""
    if not key or len(key) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(key), expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    # Used within LAST_USED_RESOLUTION (what the row just read says): nothing to write, no
    # statement. Otherwise one conditional UPDATE, so two requests at once write it once.
    if token.last_used_at is not None and token.last_used_at >= now - LAST_USED_RESOLUTION:
        return token
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    if ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now):
        token.last_used_at = now
    return token


def user_access_changed(*, user: User, changed: list[str]) -> None:
    """A password, role or access flag changed (User.save calls this): the user's API
    tokens end and the change is written to the audit log (without values of secrets)."""
    if "password" in changed:
        security_event_record(kind=SecurityEventKind.PASSWORD_CHANGED, subject=user)
    others = [f for f in changed if f != "password"]
    if others:
        facts = ", ".join(f"{f}={user.__dict__.get(f)!s}" for f in others)
        security_event_record(kind=SecurityEventKind.ACCESS_CHANGED, subject=user, detail=facts)
    api_tokens_revoke(
        tokens=ApiToken.objects.filter(user=user), reason=f"{', '.join(changed)} changed"
    )


def user_permissions_changed(*, user: User, detail: str) -> None:
    """Groups or permissions of `user` changed: tokens end, the change is logged."""
    security_event_record(kind=SecurityEventKind.PERMISSIONS_CHANGED, subject=user, detail=detail)
    api_tokens_revoke(tokens=ApiToken.objects.filter(user=user), reason="permissions changed")


def can_administer(*, actor: User, user: User) -> bool:
    """Managers administer the help desk's people, not superusers: only a superuser may
    change a superuser."""
    return actor.is_superuser or not user.is_superuser


# What nobody may change about themselves unless they are a superuser.
OWN_PRIVILEGE_FIELDS = frozenset(
    {"role", "tier", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"}
)


def user_check_change(*, actor: User, user: User, fields: set[str]) -> None:
    """Refuse (403) a change by a manager of a superuser or of their own privileges."""
    if not can_administer(actor=actor, user=user):
        raise NotAllowed(_("Only a superuser can change a superuser."), code="superuser")
    if user.pk == actor.pk and not actor.is_superuser and fields & OWN_PRIVILEGE_FIELDS:
        raise NotAllowed(_("You cannot change your own role or access."), code="own_privileges")


PROFILE_LANGUAGES = ("", "en", "de")  # "": follow the browser


def user_profile_update(
    *, user: User, first_name: str, last_name: str, language: str, time_zone: str
) -> User:
    """The signed-in user's own name, language and time zone (nothing that grants access)."""
    names = {
        "first_name": single_line(first_name or "").strip(),
        "last_name": single_line(last_name or "").strip(),
    }
    for field, value in names.items():
        if len(value) > 150:
            raise field_error(field, _("At most %(max)d characters.") % {"max": 150})
    if language not in PROFILE_LANGUAGES:
        raise field_error("language", _("Choose English, German or the browser's language."))
    try:
        validate_time_zone(time_zone)
    except DjangoValidationError as error:
        unknown = _("Unknown time zone “%(tz)s”.") % {"tz": time_zone}
        raise field_error("time_zone", unknown) from error
    for field, value in {**names, "language": language, "time_zone": time_zone}.items():
        setattr(user, field, value)
    user.save(update_fields=["first_name", "last_name", "language", "time_zone"])
    return user


def user_language_set(*, user: User, language: str) -> User:
    """The language switch: only the language, "" to follow the browser again."""
    if language not in PROFILE_LANGUAGES:
        raise field_error("language", _("Choose English, German or the browser's language."))
    user.language = language
    user.save(update_fields=["language"])
    return user
