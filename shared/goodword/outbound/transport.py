"""One HTTP transport with timeouts, and what an answer means: sent, retry (when), or
failed (why). Credentials are never logged: requests are not logged at all."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from goodword.outbound.destinations import UnsafeDestinationError, checked_address, opener
from goodword.outbound.platform_requests import HttpRequest

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx comes back as the answer


_NO_REDIRECTS = urllib.request.build_opener(_NoRedirects())


class TransportError(Exception):
    """No answer. ``maybe_sent`` is False when the connection never opened (refused, name
    not found, connect timeout): safe to retry. True when it broke after the request was
    written (read timeout, reset): the platform may have acted on it."""

    def __init__(self, reason: str, maybe_sent: bool) -> None:
        super().__init__(reason)
        self.maybe_sent = maybe_sent


def send(request: HttpRequest, timeout: float = TIMEOUT_SECONDS) -> HttpResponse:
    """Call a platform's API (fixed https hosts, or the configured base URLs)."""
    return _open(urllib.request.urlopen, request, timeout)


def send_without_redirects(request: HttpRequest, timeout: float = TIMEOUT_SECONDS) -> HttpResponse:
    """Call an API that holds a secret in its headers (Shopify's access token): a redirect is
    not followed (it would carry the token to wherever it points); the 3xx is the answer."""
    return _open(_NO_REDIRECTS.open, request, timeout)


def send_to_public_address(request: HttpRequest, allow_private: bool = False, timeout: float = TIMEOUT_SECONDS) -> HttpResponse:
    """Call a URL a marketer wrote (notify): public addresses only, checked now, no redirects.
    Raises UnsafeDestinationError (final, never retried) for any other."""
    address = checked_address(request.url, allow_private)
    return _open(opener(address).open, request, timeout)


def _open(open_: Any, request: HttpRequest, timeout: float) -> HttpResponse:
    try:
        prepared = urllib.request.Request(  # noqa: S310 (the platforms' https URLs, or a checked notify URL)
            request.url, data=request.body or None, method=request.method, headers=request.headers
        )
    except ValueError as exc:
        raise UnsafeDestinationError(f"invalid URL: {exc}") from None
    try:
        with open_(prepared, timeout=timeout) as response:
            return HttpResponse(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return HttpResponse(error.code, {k.lower(): v for k, v in (error.headers or {}).items()}, error.read() or b"")
    except urllib.error.URLError as exc:  # raised while connecting
        raise TransportError(f"{type(exc.reason).__name__}", maybe_sent=False) from None
    except http.client.InvalidURL as exc:
        raise UnsafeDestinationError(f"invalid URL: {exc}") from None
    except (TimeoutError, ConnectionError, OSError) as exc:  # raised while waiting for the answer
        raise TransportError(type(exc).__name__, maybe_sent=True) from None


@dataclass(frozen=True)
class Verdict:
    outcome: str  # "sent", "retry", "failed"
    detail: str = ""
    retry_after: float | None = None  # seconds; None: back off
    body: Any = None


def judge(response: HttpResponse, now: datetime | None = None) -> Verdict:
    """2xx: sent (even when the body is unreadable: never send twice). 429: retry when the
    platform says. 5xx: retry with backoff. Other 4xx: failed, with the platform's message."""
    body = response.json()
    if 200 <= response.status < 300:
        return Verdict("sent", body=body)
    if response.status == 429:
        return Verdict("retry", "rate limited (429)", _retry_after(response.headers, now or datetime.now(UTC)))
    if response.status >= 500:
        return Verdict("retry", f"platform error {response.status}")
    return Verdict("failed", f"{response.status}: {_message(body) or response.body[:200].decode(errors='replace')}")


def _retry_after(headers: dict[str, str], now: datetime) -> float:
    value = headers.get("retry-after")
    if value:
        if value.strip().isdigit():
            return float(value)
        try:
            return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
        except (TypeError, ValueError):
            pass
    reset = headers.get("x-rate-limit-reset") or headers.get("ratelimit-reset")  # X: epoch seconds; Twitch: epoch
    if reset and reset.strip().isdigit():
        return max(0.0, float(reset) - now.timestamp())
    return 60.0


def _message(body: Any) -> str:
    if not isinstance(body, dict):
        return ""
    error = body.get("error")
    if isinstance(error, dict):
        return str(error.get("message") or error)[:300]
    for key in ("detail", "message", "title", "error_description", "error"):
        if isinstance(body.get(key), str):
            return str(body[key])[:300]
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message") or errors[0])[:300]
    return ""
