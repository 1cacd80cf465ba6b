"""People: one profile per platform + brand account + author, and the facts rules read from it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from goodword.events import Event, EventKind

# What a person says to or about the brand; the first of these is "the first mention", and the
# first of these the judge labels positive (band auto or review) is "the first praise" (unless a
# reviewer rejects it as not praise: then the next one is).
MENTION_KINDS = frozenset({EventKind.MENTION, EventKind.REPLY, EventKind.QUOTE, EventKind.COMMENT})


def is_mention(event: Event) -> bool:
    """Whether the event counts as a mention: an edit of a post is never a new one (an edit
    that turns a complaint into praise is the same mention, not a second)."""
    return event.kind in MENTION_KINDS and event.refs.edits is None


def identity_key(platform: str, brand_account: str, author_id: str) -> str:
    """One platform identity: ``PERSON#<platform>#<brand account>#<author id>`` (ids hold no #)."""
    return f"PERSON#{platform}#{brand_account}#{author_id}"


def handle_key(platform: str, brand_account: str, handle: str) -> str:
    """Who first showed a handle on a brand account: ``HANDLE#<platform>#<brand account>#<digest>``
    (a digest of the lower-cased handle, so the item holds no handle)."""
    digest = hashlib.sha256(handle.lower().lstrip("@").encode()).hexdigest()[:32]
    return f"HANDLE#{platform}#{brand_account}#{digest}"


def identity_parts(key: str) -> tuple[str, str, str] | None:
    """(platform, brand account, author id) of an identity key, or None if it is not one."""
    prefix, _, rest = key.partition("#")
    parts = rest.split("#")
    return (parts[0], parts[1], parts[2]) if prefix == "PERSON" and len(parts) == 3 and all(parts) else None


def person_key(event: Event) -> str | None:
    if event.author is None:
        return None
    return identity_key(event.platform.value, event.brand_account, event.author.id)


@dataclass(frozen=True)
class Profile:
    key: str
    first_seen: str
    last_seen: str
    first_event_id: str
    first_mention_event_id: str | None = None
    first_praise_event_id: str | None = None  # the first mention the judge found praise (not overturned)
    mention_count: int = 0
    positive_mention_count: int = 0
    offers_received: int = 0
    claims_made: int = 0  # claims stored for offers to this identity (counted with the claim)
    last_contact_at: str | None = None
    followers_count: int | None = None
    tags: frozenset[str] = field(default_factory=frozenset)
    opted_out_at: str | None = None  # the person asked not to be contacted
    opted_out_by: str | None = None  # what they said ("stop"), or who recorded it
    person_id: str | None = None  # HUMAN#<id> when linked to the person's other identities

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Profile:
        return cls(
            key=item["pk"],
            first_seen=item["first_seen"],
            last_seen=item["last_seen"],
            first_event_id=item["first_event_id"],
            first_mention_event_id=item.get("first_mention_event_id"),
            first_praise_event_id=item.get("first_praise_event_id"),
            mention_count=int(item.get("mention_count", 0)),
            positive_mention_count=int(item.get("positive_mention_count", 0)),
            offers_received=int(item.get("offers_received", 0)),
            claims_made=int(item.get("claims_made", 0)),
            last_contact_at=item.get("last_contact_at"),
            followers_count=int(item["followers_count"]) if item.get("followers_count") is not None else None,
            tags=frozenset(item.get("tags", ())),
            opted_out_at=item.get("opted_out_at"),
            opted_out_by=item.get("opted_out_by"),
            person_id=item.get("person_id"),
        )

    def praised_before(self, event_id: str) -> bool:
        """Whether this identity praised the brand in an event other than this one."""
        return self.first_praise_event_id is not None and self.first_praise_event_id != event_id

    def facts(self, event_id: str, now: datetime) -> dict[str, Any]:
        days = None
        if self.last_contact_at:
            days = (now - datetime.fromisoformat(self.last_contact_at)).total_seconds() / 86400
        return {
            "profile.is_first_mention": self.first_mention_event_id == event_id,
            "profile.is_first_praise": self.first_praise_event_id == event_id,
            "profile.is_new": self.first_event_id == event_id,
            "profile.mention_count": self.mention_count,
            "profile.positive_mention_count": self.positive_mention_count,
            "profile.offers_received": self.offers_received,
            "profile.days_since_last_contact": round(days, 2) if days is not None else None,
            "profile.tags": sorted(self.tags),
            "person.opted_out": self.opted_out,
        }
