"""Sign and address requests exactly as each platform does (test-side, independent of the
verification code under test: every scheme is spelled out again here)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.support.paths import FIXTURES, ROOT

# The checked-in development secrets (obviously fake), shared with the sample events.
SECRETS: dict[str, Any] = json.loads((ROOT / "config" / "local-dev.json").read_text())["webhook_secrets"]
X_SECRET: str = SECRETS["x"]["consumer_secret"]
META_SECRET: str = SECRETS["meta"]["app_secret"]
META_VERIFY_TOKEN: str = SECRETS["meta"]["verify_token"]
LINKEDIN_SECRET: str = SECRETS["linkedin"]["client_secret"]
TWITCH_SECRET: str = SECRETS["twitch"]["secret"]
STANDARD_SECRET: str = SECRETS["standard"]["secret"]


def _mac(key: bytes | str, msg: bytes) -> bytes:
    return hmac.new(key.encode() if isinstance(key, str) else key, msg, hashlib.sha256).digest()


def fixture_bytes(relative: str) -> bytes:
    """A fixture as compact JSON bytes (what a platform would put on the wire)."""
    return json.dumps(json.loads((FIXTURES / relative).read_text()), separators=(",", ":"), ensure_ascii=False).encode()


def load_fixture(relative: str) -> Any:
    return json.loads((FIXTURES / relative).read_text())


def signed_headers(
    platform: str,
    body: bytes,
    *,
    now: datetime | None = None,
    message_id: str = "msg-1",
    message_type: str = "notification",
    secret: str | None = None,
) -> dict[str, str]:
    now = now or datetime.now(UTC)
    if platform == "x":
        return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(_mac(secret or X_SECRET, body)).decode()}
    if platform == "meta":
        return {"X-Hub-Signature-256": "sha256=" + _mac(secret or META_SECRET, body).hex()}
    if platform == "linkedin":
        return {"X-LI-Signature": _mac(secret or LINKEDIN_SECRET, b"hmacsha256=" + body).hex()}
    if platform == "twitch":
        timestamp = now.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"  # Twitch sends nanoseconds
        signed = message_id.encode() + timestamp.encode() + body
        return {
            "Twitch-Eventsub-Message-Id": message_id,
            "Twitch-Eventsub-Message-Timestamp": timestamp,
            "Twitch-Eventsub-Message-Signature": "sha256=" + _mac(secret or TWITCH_SECRET, signed).hex(),
            "Twitch-Eventsub-Message-Type": message_type,
            "Twitch-Eventsub-Message-Retry": "0",
        }
    if platform == "standard":
        key = base64.b64decode((secret or STANDARD_SECRET).removeprefix("whsec_"))
        timestamp = str(int(now.timestamp()))
        signature = base64.b64encode(_mac(key, f"{message_id}.{timestamp}.".encode() + body)).decode()
        return {"webhook-id": message_id, "webhook-timestamp": timestamp, "webhook-signature": f"v1,{signature}"}
    raise ValueError(platform)


def http_api_event(
    platform: str,
    body: bytes = b"",
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    query: str = "",
    base64_body: bool = False,
    request_id: str = "req-1",
) -> dict[str, Any]:
    """An API Gateway HTTP API (payload 2.0) event as the /webhooks/{platform} route gets it.
    Like API Gateway, bodies that are not UTF-8 text are base64-encoded."""
    try:
        text_body = body.decode()
    except UnicodeDecodeError:
        base64_body = True
    return {
        "version": "2.0",
        "routeKey": f"{method} /webhooks/{{platform}}",
        "rawPath": f"/webhooks/{platform}",
        "rawQueryString": query,
        "headers": {k.lower(): v for k, v in (headers or {}).items()},
        "requestContext": {
            "http": {"method": method, "path": f"/webhooks/{platform}", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9"},
            "requestId": request_id,
            "routeKey": f"{method} /webhooks/{{platform}}",
            "stage": "$default",
            "timeEpoch": 0,
        },
        "pathParameters": {"platform": platform},
        "body": base64.b64encode(body).decode() if base64_body else text_body,
        "isBase64Encoded": base64_body,
    }


def all_fixture_files(platform_dir: str) -> list[Path]:
    return sorted(p for p in (FIXTURES / platform_dir).glob("*.json") if p.name != "vectors.json")
