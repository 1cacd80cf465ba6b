"""API Gateway HTTP API (payload format 2.0) events to WebhookRequest and back."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from goodword.webhooks.errors import InvalidPayloadError, UnknownPlatformError
from goodword.webhooks.request import WebhookRequest, WebhookResponse

ROUTE_PREFIX = "/webhooks/"


def request_from_http_api(event: dict[str, Any], received_at: datetime) -> WebhookRequest:
    http = (event.get("requestContext") or {}).get("http") or {}
    platform = (event.get("pathParameters") or {}).get("platform")
    if platform is None:
        raw_path = str(event.get("rawPath") or "")
        if not raw_path.startswith(ROUTE_PREFIX):
            raise UnknownPlatformError("webhooks are received at /webhooks/{platform}")
        platform = raw_path[len(ROUTE_PREFIX) :].strip("/")
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    raw_query = event.get("rawQueryString")
    if raw_query is not None:
        query: dict[str, str] = {}
        for key, value in parse_qsl(str(raw_query), keep_blank_values=True):
            query.setdefault(key, value)
    else:
        query = {str(k): str(v) for k, v in (event.get("queryStringParameters") or {}).items()}
    return WebhookRequest(
        method=str(http.get("method") or "").upper(),
        platform=str(platform),
        headers=headers,
        query=query,
        body=_body_bytes(event),
        received_at=received_at,
        request_id=str((event.get("requestContext") or {}).get("requestId") or ""),
    )


def _body_bytes(event: dict[str, Any]) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if event.get("isBase64Encoded"):
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidPayloadError("body is marked base64 but is not valid base64") from None
    # surrogatepass: a body that is not valid UTF-8 must fail verification, not crash.
    return str(body).encode("utf-8", "surrogatepass")


def http_api_response(response: WebhookResponse) -> dict[str, Any]:
    return {
        "statusCode": response.status,
        "headers": {"content-type": response.content_type, **response.headers},
        "body": response.body,
        "isBase64Encoded": False,
    }
