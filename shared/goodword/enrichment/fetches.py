"""What an event lacks and which documented read fetches it (pure: no network).

instagram mention with a comment_id   GET /{ig-user-id}?fields=mentioned_comment.comment_id(..){..}
instagram mention of a caption        GET /{ig-user-id}?fields=mentioned_media.media_id(..){..}
facebook mention without a message    GET /{post-id | comment-id}?fields=message,from,...
linkedin SHARE_MENTION                GET /rest/posts/{post urn}
linkedin COMMENT                      GET /rest/socialActions/{post urn}/comments/{comment id}
x author without account facts        GET /2/users/{id}?user.fields=...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from goodword.events import Event, EventKind, Platform
from goodword.people import MENTION_KINDS


class EnrichmentSettings(BaseModel):
    """Settings `enrichment`: which fetches run, and how long an answer is reused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(default=True, description="fetch what platforms leave out of events before judging them")
    x_authors: bool = Field(
        default=True, description="look up X authors whose payload lacks account facts (a paid read on X's API)"
    )
    cache_hours: int = Field(default=24, ge=0, le=168, description="reuse a fetched post, comment or account this long")


class FetchKind(StrEnum):
    INSTAGRAM_MENTIONED_COMMENT = "instagram.mentioned_comment"
    INSTAGRAM_MENTIONED_MEDIA = "instagram.mentioned_media"
    FACEBOOK_OBJECT = "facebook.object"
    LINKEDIN_POST = "linkedin.post"
    LINKEDIN_COMMENT = "linkedin.comment"
    X_USER = "x.user"


@dataclass(frozen=True)
class Fetch:
    """One read: what, of which object, for which brand account (whose token reads it)."""

    kind: FetchKind
    brand_account: str
    object_id: str
    parent_id: str | None = None  # the post a LinkedIn comment belongs to

    @property
    def platform(self) -> str:
        return self.kind.value.split(".", 1)[0]

    @property
    def cache_key(self) -> str:
        """One cached answer per object (ids hold no #)."""
        return f"FETCH#{self.kind.value}#{self.brand_account}#{self.object_id}"

    @property
    def completes_text(self) -> bool:
        """Whether the event cannot be judged without this fetch (its text and author)."""
        return self.kind is not FetchKind.X_USER


_LINKEDIN_COMMENT = re.compile(r"^urn:li:comment:\((?P<parent>urn:li:[a-zA-Z]+:[^,]+),(?P<id>[^)]+)\)$")


def linkedin_comment_parts(urn: str) -> tuple[str, str] | None:
    """(the post's urn, the comment's id) of ``urn:li:comment:(urn:li:activity:1,2)``."""
    match = _LINKEDIN_COMMENT.match(urn)
    return (match["parent"], match["id"]) if match else None


def possible(event: Event) -> list[Fetch]:
    """Every fetch that could complete this event, needed or not (what erase clears from the cache)."""
    refs, brand = event.refs, event.brand_account
    fetches: list[Fetch] = []
    if event.platform is Platform.INSTAGRAM and event.kind is EventKind.MENTION:
        if refs.comment_id:
            fetches.append(Fetch(FetchKind.INSTAGRAM_MENTIONED_COMMENT, brand, refs.comment_id))
        elif refs.media_id:
            fetches.append(Fetch(FetchKind.INSTAGRAM_MENTIONED_MEDIA, brand, refs.media_id))
    elif event.platform is Platform.FACEBOOK and event.kind is EventKind.MENTION:
        target = refs.comment_id or refs.post_id
        if target:
            fetches.append(Fetch(FetchKind.FACEBOOK_OBJECT, brand, target))
    elif event.platform is Platform.LINKEDIN and event.kind is EventKind.MENTION and refs.conversation_id:
        fetches.append(Fetch(FetchKind.LINKEDIN_POST, brand, refs.conversation_id))
    elif event.platform is Platform.LINKEDIN and event.kind is EventKind.COMMENT and refs.comment_id:
        parts = linkedin_comment_parts(refs.comment_id)
        if parts:
            fetches.append(Fetch(FetchKind.LINKEDIN_COMMENT, brand, parts[1], parent_id=parts[0]))
    if event.platform is Platform.X and event.author is not None:
        fetches.append(Fetch(FetchKind.X_USER, brand, event.author.id))
    return fetches


def needed(event: Event, settings: EnrichmentSettings) -> list[Fetch]:
    """The fetches this event needs before it is judged; none once enrichment is final."""
    if not settings.enabled or (event.enrichment is not None and event.enrichment.state.final):
        return []
    wanted = []
    for fetch in possible(event):
        if fetch.kind is FetchKind.X_USER:
            author = event.author
            if settings.x_authors and event.kind in MENTION_KINDS and author is not None and author.created_at is None:
                wanted.append(fetch)
        elif not event.text or event.author is None:
            wanted.append(fetch)
    return wanted
