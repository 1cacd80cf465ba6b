"""Test deliveries, built and signed as the platforms build and sign them, for `goodword
send`: an X payload for X mentions, replies and follows (the X webhook), and for every other
platform and kind the Standard Webhooks bridge (Goodword's canonical event JSON)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from goodword.events import EventKind, Platform
from goodword.webhooks.standard import sign as standard_signature

X_KINDS = (EventKind.MENTION, EventKind.REPLY, EventKind.FOLLOW)


@dataclass(frozen=True)
class TestDelivery:
    webhook: str  # the path after /webhooks/: x or standard
    body: bytes
    headers: dict[str, str]
    event_id: str  # the id the stored event will have


@dataclass(frozen=True)
class Post:
    platform: Platform
    kind: EventKind
    text: str | None
    author: str  # handle, without @
    brand_account: str
    brand_handle: str | None = None


def _first(value: Any) -> str:
    """A secret, or the first of a rotation list."""
    return str(value[0] if isinstance(value, list) else value)


def build(post: Post, webhook_secrets: dict[str, Any], now: datetime | None = None) -> TestDelivery:
    now = now or datetime.now(UTC)
    number = str(int(now.timestamp() * 1000)) + str(secrets.randbelow(1000)).zfill(3)  # unique per send
    author_id = "u" + hashlib.sha256(post.author.lower().encode()).hexdigest()[:12]  # the same person every time
    if post.platform is Platform.X and post.kind in X_KINDS:
        return _x(post, number, author_id, webhook_secrets, now)
    return _standard(post, number, author_id, webhook_secrets, now)


def _x(post: Post, number: str, author_id: str, webhook_secrets: dict[str, Any], now: datetime) -> TestDelivery:
    user = {"id_str": author_id, "screen_name": post.author, "name": post.author, "followers_count": 0}
    if post.kind is EventKind.FOLLOW:
        created = str(int(now.timestamp() * 1000))
        body: dict[str, Any] = {
            "for_user_id": post.brand_account,
            "follow_events": [
                {
                    "type": "follow",
                    "created_timestamp": created,
                    "source": user,
                    "target": {"id_str": post.brand_account, "screen_name": post.brand_handle or "brand"},
                }
            ],
        }
        event_id = f"x#{post.brand_account}#follow:{author_id}:{created}"
    else:
        handle = post.brand_handle or "brand"
        text = post.text or ""
        if post.kind is EventKind.MENTION and f"@{handle}".lower() not in text.lower():
            text = f"@{handle} {text}"  # a mention names the brand
        reply = post.kind is EventKind.REPLY
        body = {
            "for_user_id": post.brand_account,
            "tweet_create_events": [
                {
                    "timestamp_ms": str(int(now.timestamp() * 1000)),
                    "id_str": number,
                    "text": text,
                    "user": user,
                    "lang": "en",
                    "in_reply_to_user_id_str": post.brand_account if reply else None,
                    "in_reply_to_status_id_str": "1" if reply else None,
                    "entities": {
                        "user_mentions": [{"screen_name": handle, "id_str": post.brand_account, "indices": [0, len(handle) + 1]}]
                        if f"@{handle}".lower() in text.lower()
                        else []
                    },
                }
            ],
        }
        event_id = f"x#{post.brand_account}#tweet:{number}"
    raw = json.dumps(body, separators=(",", ":")).encode()
    key = _first(webhook_secrets["x"]["consumer_secret"]).encode()
    signature = "sha256=" + base64.b64encode(hmac.new(key, raw, hashlib.sha256).digest()).decode()
    return TestDelivery("x", raw, {"content-type": "application/json", "x-twitter-webhooks-signature": signature}, event_id)


def _standard(post: Post, number: str, author_id: str, webhook_secrets: dict[str, Any], now: datetime) -> TestDelivery:
    natural_id = f"goodword-send-{number}"
    body = {
        "platform": post.platform.value,
        "kind": post.kind.value,
        "natural_id": natural_id,
        "brand_account": post.brand_account,
        "occurred_at": now.isoformat(),
        "author": {"id": author_id, "handle": post.author},
        "text": post.text,
        "refs": {"post_id": number},
    }
    raw = json.dumps(body, separators=(",", ":")).encode()
    message_id, timestamp = f"msg_{number}", str(int(now.timestamp()))
    signature = standard_signature(_first(webhook_secrets["standard"]["secret"]), message_id, timestamp, raw)
    headers = {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": signature,
    }
    return TestDelivery("standard", raw, headers, f"{post.platform.value}#{post.brand_account}#{natural_id}")
