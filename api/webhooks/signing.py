"""How a delivery is signed, and how a receiver checks it.

Headers: `X-Tierdesk-Timestamp` (Unix seconds) and
`X-Tierdesk-Signature: sha256=<hex>` where the hex digest is
HMAC-SHA256(secret, f"{timestamp}.{body}"). Signing the timestamp with the
body lets a receiver refuse replays older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "X-Tierdesk-Timestamp"
SIGNATURE_HEADER = "X-Tierdesk-Signature"
EVENT_HEADER = "X-Tierdesk-Event"
DELIVERY_HEADER = "X-Tierdesk-Delivery"


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(*, secret: str, timestamp: int, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret=secret, timestamp=timestamp, body=body), header)
