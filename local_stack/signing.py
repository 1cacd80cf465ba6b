"""Sign requests exactly as each platform does, with the development secrets: used by the
demo, the end-to-end tests and anyone pointing a script at the local stack. Every scheme
is written out here again, independently of the receiver's verification code."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any


def _mac(key: bytes | str, message: bytes) -> bytes:
    return hmac.new(key.encode() if isinstance(key, str) else key, message, hashlib.sha256).digest()


def signed_headers(
    platform: str,
    body: bytes,
    secrets: dict[str, Any],
    *,
    now: datetime | None = None,
    message_id: str = "msg-1",
    message_type: str = "notification",
    secret: str | None = None,
) -> dict[str, str]:
    """Headers a platform would send with ``body``; ``secrets`` is the webhook secret document."""
    now = now or datetime.now(UTC)
    if platform == "x":
        key = secret or secrets["x"]["consumer_secret"]
        return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(_mac(key, body)).decode()}
    if platform == "meta":
        key = secret or secrets["meta"]["app_secret"]
        return {"X-Hub-Signature-256": "sha256=" + _mac(key, body).hex()}
    if platform == "linkedin":
        key = secret or secrets["linkedin"]["client_secret"]
        return {"X-LI-Signature": _mac(key, b"hmacsha256=" + body).hex()}
    if platform == "twitch":
        key = secret or secrets["twitch"]["secret"]
        timestamp = now.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"  # Twitch sends nanoseconds
        return {
            "Twitch-Eventsub-Message-Id": message_id,
            "Twitch-Eventsub-Message-Timestamp": timestamp,
            "Twitch-Eventsub-Message-Signature": "sha256=" + _mac(key, message_id.encode() + timestamp.encode() + body).hex(),
            "Twitch-Eventsub-Message-Type": message_type,
            "Twitch-Eventsub-Message-Retry": "0",
            "Twitch-Eventsub-Subscription-Type": "channel.follow",
            "Twitch-Eventsub-Subscription-Version": "2",
        }
    if platform == "standard":
        key = base64.b64decode((secret or secrets["standard"]["secret"]).removeprefix("whsec_"))
        timestamp = str(int(now.timestamp()))
        signature = base64.b64encode(_mac(key, f"{message_id}.{timestamp}.".encode() + body)).decode()
        return {"webhook-id": message_id, "webhook-timestamp": timestamp, "webhook-signature": f"v1,{signature}"}
    raise ValueError(f"unknown platform {platform}")
