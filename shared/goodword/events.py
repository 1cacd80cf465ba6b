"""The one canonical event model every platform's delivery is normalized into."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)


class Platform(StrEnum):
    """The social network an event happened on (not the webhook that carried it)."""

    X = "x"
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    LINKEDIN = "linkedin"
    TWITCH = "twitch"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"

    @classmethod
    def _missing_(cls, value: object) -> Platform | None:
        """Platform names are case-insensitive: X, Instagram and x, instagram are the same."""
        if isinstance(value, str):
            return next((p for p in cls if p.value == value.strip().lower()), None)
        return None


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
# Counts beyond any real account are clamped, not refused: DynamoDB numbers stop at 38 digits
# and JSON readers at 2**53, and a signed mention is worth keeping whatever its follower count.
MAX_COUNT = 2**53 - 1
MAX_REF = 512  # characters of one platform id (LinkedIn URNs are the longest seen, ~60)
MAX_TEXT_BYTES = 200_000  # UTF-8 bytes of a post's text: the event item stays under 400 KB
# DynamoDB keys: a partition key of at most 2048 bytes, the ByDay sort key (time#event_id) 1024.
MAX_EVENT_ID_BYTES = 900


def _clamp_count(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_COUNT:
        return MAX_COUNT
    return value


Count = Annotated[int, BeforeValidator(_clamp_count), Field(ge=0)]


def _utc_convertible(value: datetime) -> datetime:
    """An aware time UTC can hold: 0001-01-01T00:00:00+23:59 is a valid RFC 3339 time whose
    UTC instant is before year 1 (and 9999-12-31T23:59:59-23:59 after 9999), so converting it
    (to store or compare it) would raise OverflowError: refused here as the sender's error."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the range of times that can be expressed in UTC (years 1 to 9999)") from None
    return value


# A time zone-aware time that converts to UTC without overflow (what a sender may give us).
UtcTime = Annotated[AwareDatetime, AfterValidator(_utc_convertible)]
# Platform ids are printable: no whitespace or control characters (LinkedIn URNs do hold ":(),").
Ref = Annotated[str, Field(min_length=1, max_length=MAX_REF, pattern=r"^[^\s\x00-\x1f\x7f]+$")]


class Author(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    id: str = Field(pattern=_ID_PATTERN)
    handle: str | None = Field(default=None, max_length=256)
    name: str | None = Field(default=None, max_length=512)
    followers_count: Count | None = None
    # X AAA `user_has_blocked`: the author blocked the brand. Stored for the record;
    # no automated contact may follow.
    has_blocked_brand: bool = False
    # Eligibility facts, from the payload or fetched (goodword.enrichment); None: not known.
    created_at: UtcTime | None = None  # when the account was created
    following_count: Count | None = None
    verified: bool | None = None
    default_profile: bool | None = None  # never changed the default picture/profile
    is_private: bool | None = None  # protected (X) or private (Instagram)
    accepts_dms: bool | None = None  # X `receives_your_dm`


class EventRefs(BaseModel):
    """Platform ids needed later to answer the event (reply, DM, comment)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    post_id: Ref | None = None
    comment_id: Ref | None = None
    parent_id: Ref | None = None
    media_id: Ref | None = None
    conversation_id: Ref | None = None
    in_reply_to_post_id: Ref | None = None
    quoted_post_id: Ref | None = None
    subscription_id: Ref | None = None
    permalink: Ref | None = None  # the post's or comment's public URL, where fetched
    edits: Ref | None = None  # the natural id of the post or comment this event is an edit of


class EnrichmentState(StrEnum):
    """Where completing an ids-only event stands (docs/events.md, "Enrichment")."""

    WAITING = "waiting"  # not fetched yet, or retried later (rate limited, platform error, timeout)
    ENRICHED = "enriched"  # what was missing was fetched
    UNAVAILABLE = "unavailable"  # final: deleted, private, no permission; judged with what it has

    @property
    def final(self) -> bool:
        return self is not EnrichmentState.WAITING


class Enrichment(BaseModel):
    """The outcome of fetching what a platform left out of an event."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    state: EnrichmentState
    reason: str | None = Field(default=None, max_length=64)  # why not enriched: no_permission, deleted...
    detail: str | None = Field(default=None, max_length=500)  # the platform's words
    attempts: int = Field(default=0, ge=0)
    enriched_at: datetime | None = None  # when it reached a final state
    retry_at: datetime | None = None  # when a waiting event is tried again
    fetched: tuple[str, ...] = ()  # what was fetched (or found in the cache)


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
    enrichment: Enrichment | None = None  # only on events that needed fetching
    # Set by `goodword people erase`: the author, text, language and references are gone and
    # the event stays only as a count. Never set by a receiver.
    erased_at: AwareDatetime | None = None

    @field_validator("occurred_at", "received_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a time zone")
        return value

    @field_validator("text")
    @classmethod
    def _text_bytes(cls, value: str | None) -> str | None:
        if value is not None and len(value.encode()) > MAX_TEXT_BYTES:
            raise ValueError(f"text is over {MAX_TEXT_BYTES:,} bytes in UTF-8")
        return value

    @model_validator(mode="after")
    def _key_fits(self) -> Event:
        if len(self.event_id.encode()) > MAX_EVENT_ID_BYTES:
            raise ValueError(f"natural_id and brand_account together are over {MAX_EVENT_ID_BYTES} bytes in UTF-8")
        return self

    @property
    def event_id(self) -> str:
        return f"{self.platform.value}#{self.brand_account}#{self.natural_id}"
