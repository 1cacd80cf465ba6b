"""The one canonical event model every platform's delivery is normalized into."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Platform(StrEnum):
    """The social network an event happened on (not the webhook that carried it)."""

    X = "x"
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    LINKEDIN = "linkedin"
    TWITCH = "twitch"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"


class EventKind(StrEnum):
    MENTION = "mention"
    REPLY = "reply"
    QUOTE = "quote"
    COMMENT = "comment"
    SHARE = "share"
    LIKE = "like"
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"
    DIRECT_MESSAGE = "direct_message"
    # The platform withdrew our access (Twitch revocation, X user_event/oauth.revoke):
    # recorded so operators see why events stopped, never acted on by rules.
    REVOCATION = "revocation"


_ID_PATTERN = r"^[^\s#]{1,256}$"


class Author(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    id: str = Field(pattern=_ID_PATTERN)
    handle: str | None = Field(default=None, max_length=256)
    name: str | None = Field(default=None, max_length=512)
    followers_count: int | None = Field(default=None, ge=0)
    # X AAA `user_has_blocked`: the author blocked the brand. Stored for the record;
    # no automated contact may follow.
    has_blocked_brand: bool = False


class EventRefs(BaseModel):
    """Platform ids needed later to answer the event (reply, DM, comment)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    post_id: str | None = None
    comment_id: str | None = None
    parent_id: str | None = None
    media_id: str | None = None
    conversation_id: str | None = None
    in_reply_to_post_id: str | None = None
    quoted_post_id: str | None = None
    subscription_id: str | None = None


class Event(BaseModel):
    """One thing a person did that concerns one brand account on one platform.

    ``event_id`` is the dedupe key: a redelivery of the same thing yields the same id.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    platform: Platform
    kind: EventKind
    natural_id: str = Field(pattern=_ID_PATTERN, description="The platform's own id for this event")
    brand_account: str = Field(pattern=_ID_PATTERN)
    occurred_at: datetime
    received_at: datetime
    source: str = Field(description="The webhook that carried it: x, meta, linkedin, twitch, standard")
    author: Author | None = None
    text: str | None = Field(default=None, max_length=100_000)
    lang: str | None = Field(default=None, max_length=16)
    refs: EventRefs = EventRefs()
    delivery_id: str | None = Field(default=None, max_length=256)
    raw: Any = Field(default=None, exclude=True, description="The platform's payload for this event (stored expiring)")

    @field_validator("occurred_at", "received_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a time zone")
        return value

    @property
    def event_id(self) -> str:
        return f"{self.platform.value}#{self.brand_account}#{self.natural_id}"
