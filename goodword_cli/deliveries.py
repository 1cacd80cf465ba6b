"""Test deliveries, built and signed as the platforms build and sign them, for `goodword
send`: an X payload for X mentions, replies and follows (the X webhook), and for every other
platform and kind the Standard Webhooks bridge (Goodword's canonical event JSON)."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from goodword.events import EventKind, Platform
from goodword.signing import standard_signature, x_signature

X_KINDS = (EventKind.MENTION, EventKind.REPLY, EventKind.FOLLOW)


@dataclass(frozen=True)
class TestDelivery:
    webhook: str  # the path after /webhooks/: x or standard
    body: bytes
    headers: dict[str, str]
    event_id: str  # the id the stored event will have


@dataclass(frozen=True)
class AuthorFacts:
    """What rules test about the person (`author.*`); None: the payload leaves it out."""

    followers: int | None = None
    following: int | None = None
    verified: bool | None = None
    account_age_days: int | None = None
    default_profile: bool | None = None
    private: bool | None = None
    accepts_dms: bool | None = None
    blocked_brand: bool = False

    def created_at(self, now: datetime) -> datetime | None:
        return None if self.account_age_days is None else now - timedelta(days=self.account_age_days)


# X's Account Activity payload (v1.1 user objects) has no field saying whether the person
# accepts the brand's DMs: that fact comes only from a users lookup.
X_UNSENDABLE = ("accepts_dms",)


@dataclass(frozen=True)
class Post:
    platform: Platform
    kind: EventKind
    text: str | None
    author: str  # handle, without @
    brand_account: str
    brand_handle: str | None = None
    facts: AuthorFacts = AuthorFacts()


def _first(value: Any) -> str:
    """A secret, or the first of a rotation list."""
    return str(value[0] if isinstance(value, list) else value)


def build(post: Post, webhook_secrets: dict[str, Any], now: datetime | None = None) -> TestDelivery:
    now = now or datetime.now(UTC)
    number = str(int(now.timestamp() * 1000)) + str(secrets.randbelow(1000)).zfill(3)  # unique per send
    author_id = _author_id(post.platform, post.author)
    if post.platform is Platform.X and post.kind in X_KINDS:
        return _x(post, number, author_id, webhook_secrets, now)
    return _standard(post, number, author_id, webhook_secrets, now)


def _author_id(platform: Platform, handle: str) -> str:
    """The same person every time, with an id of the platform's shape (goodword.platform_ids)."""
    digest = hashlib.sha256(handle.lower().encode()).hexdigest()[:12]
    if platform is Platform.LINKEDIN:
        return f"urn:li:person:{digest}"
    if platform in (Platform.X, Platform.INSTAGRAM, Platform.FACEBOOK):
        return str(int(digest, 16))
    return "u" + digest


def _x_user(post: Post, author_id: str, now: datetime) -> dict[str, Any]:
    """A v1.1 user object, with the facts given as X writes them."""
    facts = post.facts
    user: dict[str, Any] = {
        "id_str": author_id,
        "screen_name": post.author,
        "name": post.author,
        "followers_count": facts.followers if facts.followers is not None else 0,
    }
    created = facts.created_at(now)
    optional = {
        "friends_count": facts.following,
        "verified": facts.verified,
        "created_at": created.strftime("%a %b %d %H:%M:%S +0000 %Y") if created else None,
        "default_profile": facts.default_profile,
        "protected": facts.private,
    }
    return {**user, **{k: v for k, v in optional.items() if v is not None}}


def _standard_author(post: Post, author_id: str, now: datetime) -> dict[str, Any]:
    """The canonical author object, with the facts given."""
    facts = post.facts
    created = facts.created_at(now)
    optional = {
        "followers_count": facts.followers,
        "following_count": facts.following,
        "verified": facts.verified,
        "created_at": created.isoformat() if created else None,
        "default_profile": facts.default_profile,
        "is_private": facts.private,
        "accepts_dms": facts.accepts_dms,
        "has_blocked_brand": facts.blocked_brand or None,
    }
    return {"id": author_id, "handle": post.author, **{k: v for k, v in optional.items() if v is not None}}


def _x(post: Post, number: str, author_id: str, webhook_secrets: dict[str, Any], now: datetime) -> TestDelivery:
    user = _x_user(post, author_id, now)
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
            "user_has_blocked": "true" if post.facts.blocked_brand else "false",
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
    signature = x_signature(_first(webhook_secrets["x"]["consumer_secret"]), raw)
    return TestDelivery("x", raw, {"content-type": "application/json", "x-twitter-webhooks-signature": signature}, event_id)


def _standard(post: Post, number: str, author_id: str, webhook_secrets: dict[str, Any], now: datetime) -> TestDelivery:
    natural_id = f"goodword-send-{number}"
    body = {
        "platform": post.platform.value,
        "kind": post.kind.value,
        "natural_id": natural_id,
        "brand_account": post.brand_account,
        "occurred_at": now.isoformat(),
        "author": _standard_author(post, author_id, now),
        "text": post.text,
        "refs": {"post_id": f"urn:li:activity:{number}" if post.platform is Platform.LINKEDIN else number},
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
