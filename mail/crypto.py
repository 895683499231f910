"""Mailbox passwords at rest: Fernet (AES + HMAC) under TIERDESK_MAIL_KEY.

Without TIERDESK_MAIL_KEY the key is derived from SECRET_KEY (both come from the
environment); set TIERDESK_MAIL_KEY in production so rotating one does not lose the other.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = getattr(settings, "TIERDESK_MAIL_KEY", "") or ""
    if not key:
        digest = hashlib.sha256(f"tierdesk.mail:{settings.SECRET_KEY}".encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def encrypt_secret(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt_secret(value: str) -> str:
    """The plain password; '' if none is stored or the key no longer opens it."""
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        return ""
