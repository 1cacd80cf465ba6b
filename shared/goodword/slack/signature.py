"""Slack's request signature (https://api.slack.com/authentication/verifying-requests-from-slack):
``X-Slack-Signature`` is ``v0=`` + hex HMAC-SHA256 of ``v0:{X-Slack-Request-Timestamp}:{raw body}``
under the app's signing secret; a timestamp more than five minutes from now is refused, so a
recorded request cannot be replayed later. The body is the bytes as received: a body parsed
and encoded again (same JSON, other bytes) does not verify. Pure."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

TOLERANCE_SECONDS = 5 * 60
VERSION = "v0"


class SignatureError(Exception):
    """The request is not Slack's (or not now): answered 401, the reason logged, never shown."""


def signature(signing_secret: str, timestamp: str, body: bytes) -> str:
    """What Slack sends in ``X-Slack-Signature`` for this body at this timestamp."""
    base = f"{VERSION}:{timestamp}:".encode() + body
    return f"{VERSION}=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def verify(signing_secret: str, headers: dict[str, str], body: bytes, now: datetime) -> None:
    """Raises SignatureError unless ``headers`` (lower-cased names) sign ``body`` within the
    tolerance. Compared in constant time."""
    if not signing_secret:
        raise SignatureError("no Slack signing secret is configured")
    timestamp, given = headers.get("x-slack-request-timestamp", ""), headers.get("x-slack-signature", "")
    if not timestamp or not given:
        raise SignatureError("X-Slack-Request-Timestamp or X-Slack-Signature is missing")
    if not timestamp.isdigit():
        raise SignatureError("X-Slack-Request-Timestamp is not a number")
    if abs(now.timestamp() - int(timestamp)) > TOLERANCE_SECONDS:
        raise SignatureError("X-Slack-Request-Timestamp is more than five minutes from now")
    if not hmac.compare_digest(signature(signing_secret, timestamp, body).encode(), given.encode(errors="replace")):
        raise SignatureError("X-Slack-Signature does not match")
