"""Request signatures as each platform computes them, in one place: the receivers verify
deliveries with them (goodword.webhooks), the performer signs the notifications it sends
(Standard Webhooks, goodword.actions), and the local stack, the tools and the tests sign
deliveries with ``signed_headers``. Known-answer vectors from the platforms' documentation
(tests/unit/test_signature_vectors.py) pin every scheme."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any


def hmac_sha256(key: bytes | str, message: bytes | str) -> bytes:
    if isinstance(key, str):
        key = key.encode()
    if isinstance(message, str):
        message = message.encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def b64_hmac(key: bytes | str, message: bytes | str) -> str:
    return base64.b64encode(hmac_sha256(key, message)).decode()


def hex_hmac(key: bytes | str, message: bytes | str) -> str:
    return hmac_sha256(key, message).hex()


def matches_any(presented: str, candidates: Iterable[str]) -> bool:
    """True if ``presented`` equals one candidate. Every candidate is compared, in
    constant time, so timing does not reveal which secret (if any) matched."""
    presented_bytes = presented.encode()
    found = False
    for candidate in candidates:
        found |= hmac.compare_digest(presented_bytes, candidate.encode())
    return found


def standard_webhooks_key(secret: str) -> bytes:
    """The HMAC key of a Standard Webhooks secret: base64 after the ``whsec_`` prefix."""
    if not secret.startswith("whsec_"):
        raise ValueError("Standard Webhooks secrets start with whsec_")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        raise ValueError("Standard Webhooks secret is not base64 after whsec_") from None
    if not key:
        raise ValueError("Standard Webhooks secret is empty")
    return key


def x_signature(secret: str, body: bytes) -> str:
    """x-twitter-webhooks-signature: base64 HMAC of the body."""
    return "sha256=" + b64_hmac(secret, body)


def meta_signature(secret: str, body: bytes) -> str:
    """X-Hub-Signature-256: hex HMAC of the raw body bytes."""
    return "sha256=" + hex_hmac(secret, body)


def linkedin_signature(secret: str, body: bytes) -> str:
    """X-LI-Signature as the documentation reads literally: hex HMAC of "hmacsha256=" + body."""
    return hex_hmac(secret, b"hmacsha256=" + body)


def twitch_signature(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    """Twitch-Eventsub-Message-Signature: hex HMAC of id, timestamp and body, byte for byte."""
    return "sha256=" + hex_hmac(secret, message_id.encode() + timestamp.encode() + body)


def standard_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """The ``v1,`` signature of a Standard Webhooks message (received and sent)."""
    key = standard_webhooks_key(secret)
    return "v1," + b64_hmac(key, msg_id.encode() + b"." + timestamp.encode() + b"." + body)


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
    """Headers a platform would send with ``body``; ``secrets`` is the webhook secret document
    (goodword.webhooks.secrets), ``secret`` one that replaces the platform's."""
    now = now or datetime.now(UTC)
    if platform == "x":
        return {"x-twitter-webhooks-signature": x_signature(secret or secrets["x"]["consumer_secret"], body)}
    if platform == "meta":
        return {"X-Hub-Signature-256": meta_signature(secret or secrets["meta"]["app_secret"], body)}
    if platform == "linkedin":
        return {"X-LI-Signature": linkedin_signature(secret or secrets["linkedin"]["client_secret"], body)}
    if platform == "twitch":
        timestamp = now.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"  # Twitch sends nanoseconds
        return {
            "Twitch-Eventsub-Message-Id": message_id,
            "Twitch-Eventsub-Message-Timestamp": timestamp,
            "Twitch-Eventsub-Message-Signature": twitch_signature(
                secret or secrets["twitch"]["secret"], message_id, timestamp, body
            ),
            "Twitch-Eventsub-Message-Type": message_type,
            "Twitch-Eventsub-Message-Retry": "0",
            "Twitch-Eventsub-Subscription-Type": "channel.follow",
            "Twitch-Eventsub-Subscription-Version": "2",
        }
    if platform == "standard":
        timestamp = str(int(now.timestamp()))
        signature = standard_signature(secret or secrets["standard"]["secret"], message_id, timestamp, body)
        return {"webhook-id": message_id, "webhook-timestamp": timestamp, "webhook-signature": signature}
    raise ValueError(f"unknown platform {platform}")
