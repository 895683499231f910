"""`Idempotency-Key` on POSTs that create (tickets, replies): a client that retries after a
timeout or a 500 (the write may have committed) creates nothing twice.

The key row is written in the same transaction as what the request creates, so both exist or
neither does. The same key from the same user with the same request gets the stored answer
again (`Idempotent-Replayed: true`); with a different request (body or endpoint) it is a 422.
Two requests racing with one key: the unique constraint lets one commit, the other's work is
rolled back and it gets the winner's answer. Keys are kept for KEEP_DAYS.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request
from rest_framework.response import Response

from common.errors import ApplicationError

from ..models import IdempotencyKey

HEADER = "Idempotency-Key"
KEEP_DAYS = 7
_KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")

PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description=(
        "Optional, 1–255 visible ASCII characters: a retry with the same key gets the first "
        "answer again and creates nothing; the same key with another request is a 422."
    ),
)


class KeyReused(ApplicationError):
    status_code = 422
    default_code = "idempotency_key_reused"


def _request_hash(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(stored: IdempotencyKey, digest: str) -> Response:
    if stored.request_hash != digest:
        raise KeyReused(
            "This Idempotency-Key was used for a different request.",
            fields={HEADER: ["Use a new key for a new request."]},
        )
    response = Response(stored.response, status=stored.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(request: Request, create: Callable[[], Response]) -> Response:
    """Run `create` once per (user, Idempotency-Key); without the header, just run it."""
    key = request.headers.get(HEADER)
    if key is None:
        return create()
    if not _KEY_RE.fullmatch(key):
        raise ApplicationError(
            "Idempotency-Key must be 1–255 visible ASCII characters.",
            fields={HEADER: ["1–255 visible ASCII characters."]},
        )
    digest = _request_hash(request)
    earliest = timezone.now() - timedelta(days=KEEP_DAYS)
    stored = IdempotencyKey.objects.filter(
        user=request.user, key=key, created_at__gte=earliest
    ).first()
    if stored is not None:
        return _replay(stored, digest)
    try:
        with transaction.atomic():
            IdempotencyKey.objects.filter(user=request.user, key=key).delete()  # expired one
            response = create()
            if 200 <= response.status_code < 300:
                IdempotencyKey.objects.create(
                    user=request.user,
                    key=key,
                    request_hash=digest,
                    status_code=response.status_code,
                    response=json.loads(json.dumps(response.data, default=str)),
                    created_at=timezone.now(),
                )
    except IntegrityError:
        # Another request with this key committed first: its answer is ours.
        stored = IdempotencyKey.objects.filter(user=request.user, key=key).first()
        if stored is None:
            raise
        return _replay(stored, digest)
    return response
