"""Sign and address requests exactly as each platform does, with the development secrets.
The signing schemes live in goodword.signing, pinned by the platforms' published vectors
(tests/unit/test_signature_vectors.py)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from dev_support.paths import DEV_CONFIG, FIXTURES
from goodword.signing import signed_headers as sign

# The checked-in development secrets (obviously fake), shared with the demo and samples.
SECRETS: dict[str, Any] = json.loads(DEV_CONFIG.read_text())["secrets"]["WebhookSecret"]
CREDENTIALS: dict[str, Any] = json.loads(DEV_CONFIG.read_text())["secrets"]["PlatformCredentials"]
# The tests' repeat-claimer HMAC key (the template generates the real one; so does the local stack).
CLAIM_HASH_KEY: dict[str, str] = {"key": "test-claim-hash-key-0123456789abcdef0123456789abcdef"}
X_SECRET: str = SECRETS["x"]["consumer_secret"]
META_SECRET: str = SECRETS["meta"]["app_secret"]
META_VERIFY_TOKEN: str = SECRETS["meta"]["verify_token"]
LINKEDIN_SECRET: str = SECRETS["linkedin"]["client_secret"]
TWITCH_SECRET: str = SECRETS["twitch"]["secret"]
STANDARD_SECRET: str = SECRETS["standard"]["secret"]


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
    """Headers the platform would send, signed with the development secrets (or ``secret``)."""
    return sign(platform, body, SECRETS, now=now, message_id=message_id, message_type=message_type, secret=secret)


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
