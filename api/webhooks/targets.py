"""Where a webhook may point: public http(s) addresses only, checked when a hook is saved and
again, after resolving the name, at every delivery (a name may resolve elsewhere later).

Loopback, private, link-local, shared, multicast, reserved and unspecified addresses, and the
names `localhost`/`*.localhost`, are refused unless the operator allows them
(TIERDESK_WEBHOOKS_ALLOW_PRIVATE, e.g. for a receiver on the same host). A delivery connects
to the very address it checked, never follows a redirect, and records only a generic error
class, so the outbox cannot be used to map a network.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class TargetRefused(Exception):
    """The URL's host is, or resolves to, an address webhooks may not reach."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def _private_allowed() -> bool:
    return bool(getattr(settings, "TIERDESK_WEBHOOKS_ALLOW_PRIVATE", False))


def address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def parse(url: str) -> Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused(_("Use an http:// or https:// URL."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefused(_("The URL's port is not valid.")) from exc
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, parts.hostname.rstrip(".").lower(), port, path)


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def resolve(target: Target) -> list[str]:
    """The addresses to connect to; TargetRefused if any of them is not allowed."""
    allow = _private_allowed()
    if not allow and (target.host == "localhost" or target.host.endswith(".localhost")):
        raise TargetRefused(_("Webhooks cannot reach this address."))
    literal = _literal(target.host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise LookupError(target.host) from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not allow and not all(address_allowed(a) for a in addresses):
        raise TargetRefused(_("Webhooks cannot reach this address."))
    return addresses


def check_url(url: str) -> None:
    """At registration: refuse internal targets now (a name that does not resolve yet is
    left to the delivery's own check)."""
    target = parse(url)
    try:
        resolve(target)
    except LookupError:
        return


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int | None, str]:
    """POST once to the checked address: (status, "") or (status or None, generic error)."""
    try:
        target = parse(url)
        address = resolve(target)[0]
    except TargetRefused:
        return None, "address not allowed"
    except LookupError:
        return None, "name not resolved"
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, address=address, timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
    except TimeoutError:
        return None, "timed out"
    except ssl.SSLError:
        return None, "TLS failed"
    except (OSError, http.client.HTTPException):
        return None, "connection failed"
    finally:
        connection.close()
    status = response.status
    return status, "" if 200 <= status < 300 else f"HTTP {status}"
