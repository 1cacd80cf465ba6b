"""The claim page's requests and answers, and their API Gateway HTTP API (payload 2.0) shapes."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

ROUTE_PREFIX = "/claim/"
MAX_FORM_FIELDS = 30


@dataclass(frozen=True)
class PageRequest:
    method: str
    code: str  # the path's last part, as sent (not yet checked)
    headers: dict[str, str]  # lower-case names
    cookies: dict[str, str]
    body: bytes | None  # None: marked base64 but is not
    client: str  # the source address (the throttle counts it, hashed)
    secure: bool  # reached over https (the receipt cookie is Secure then)

    def form(self) -> dict[str, str] | None:
        """The urlencoded form's fields (first value of each), or None when it is not one."""
        if self.body is None:
            return None
        try:
            text = self.body.decode("utf-8")
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FORM_FIELDS)
        except (UnicodeDecodeError, ValueError):
            return None
        fields: dict[str, str] = {}
        for name, value in pairs:
            fields.setdefault(name, value)
        return fields


@dataclass(frozen=True)
class PageResponse:
    status: int
    headers: dict[str, str]
    body: str
    cookies: list[str] = field(default_factory=list)


def request_from_http_api(event: dict[str, Any]) -> PageRequest:
    context = event.get("requestContext") or {}
    http = context.get("http") or {}
    code = (event.get("pathParameters") or {}).get("code")
    if code is None:
        raw_path = str(event.get("rawPath") or "")
        code = raw_path[len(ROUTE_PREFIX) :] if raw_path.startswith(ROUTE_PREFIX) else ""
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    cookies: dict[str, str] = {}
    for cookie in event.get("cookies") or []:
        name, _, value = str(cookie).partition("=")
        cookies.setdefault(name.strip(), value.strip())
    proto = headers.get("x-forwarded-proto", "")
    return PageRequest(
        method=str(http.get("method") or "").upper(),
        code=str(code),
        headers=headers,
        cookies=cookies,
        body=_body(event),
        client=str(http.get("sourceIp") or ""),
        secure=proto.split(",")[0].strip().lower() == "https",
    )


def _body(event: dict[str, Any]) -> bytes | None:
    body = event.get("body")
    if body is None:
        return b""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            return None
    return str(body).encode("utf-8", "surrogatepass")


def http_api_response(response: PageResponse) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "statusCode": response.status,
        "headers": response.headers,
        "body": response.body,
        "isBase64Encoded": False,
    }
    if response.cookies:
        answer["cookies"] = list(response.cookies)
    return answer
