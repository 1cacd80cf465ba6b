"""Where a notify action may POST: a public address only, checked when it is sent.

A marketer's notify.url is an outbound request from inside the brand's AWS account, so it must
never reach loopback, private networks, link-local (the instance metadata service at
169.254.169.254) or other non-public addresses. The host is resolved at send time, every address
is checked, and the connection goes to the checked address (so a DNS answer that changes between
the check and the connection, "DNS rebinding", cannot redirect it). Redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

Resolver = Callable[[str, int], list[str]]


class UnsafeDestinationError(Exception):
    """The URL may not be called: the reason says why (never retried)."""


def never_callable(host: str) -> str | None:
    """Why a notify URL with this host can never be right, if its host is an address literal
    that no deployment may call (link-local, the metadata service, unspecified); else None.
    Loopback and private literals pass here (the local stack uses them) and are refused at send."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if ip.is_link_local or ip.is_unspecified or ip in ipaddress.ip_network("fd00:ec2::/64"):
        return f"{ip} is a link-local or metadata address, never a notify destination"
    return None


def resolve(host: str, port: int) -> list[str]:
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeDestinationError(f"cannot resolve {host}: {exc}") from None


def checked_address(url: str, allow_private: bool, resolver: Resolver = resolve) -> str:
    """The address to connect to for ``url``, or UnsafeDestinationError."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeDestinationError(f"invalid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeDestinationError("only http and https URLs with a host are called")
    addresses = resolver(parts.hostname, port)
    if not addresses:
        raise UnsafeDestinationError(f"{parts.hostname} has no address")
    if not allow_private:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%")[0])
            mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
            if not (mapped or ip).is_global or ip.is_multicast:
                raise UnsafeDestinationError(f"{parts.hostname} resolves to {ip}, which is not a public address")
    return addresses[0]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as the answer, judged as a failure


def _pinned(base: type[http.client.HTTPConnection], address: str) -> Callable[..., http.client.HTTPConnection]:
    class Pinned(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            sock = socket.create_connection((address, self.port), self.timeout)
            if isinstance(self, http.client.HTTPSConnection):
                context = getattr(self, "_context", None) or ssl.create_default_context()
                sock = context.wrap_socket(sock, server_hostname=self.host)  # the name, not the address
            self.sock = sock

    return Pinned


class _PinnedHTTP(urllib.request.HTTPHandler):
    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_pinned(http.client.HTTPConnection, self.address), req)


class _PinnedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, address: str) -> None:
        super().__init__(context=ssl.create_default_context())
        self.address = address

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_pinned(http.client.HTTPSConnection, self.address), req, context=self._context)  # type: ignore[attr-defined]


def opener(address: str) -> urllib.request.OpenerDirector:
    """An opener that connects only to ``address`` and follows no redirects."""
    return urllib.request.build_opener(_NoRedirects(), _PinnedHTTP(address), _PinnedHTTPS(address))


__all__ = ["UnsafeDestinationError", "checked_address", "never_callable", "opener", "resolve"]
