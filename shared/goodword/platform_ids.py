"""What each platform's ids look like, checked before an id is stored or put in a request.

Ids come from webhooks (and from bridges, which may claim any platform) and end up inside
read and send requests: as a URL path segment (``/{comment-id}/replies``), or inside a Graph
field expansion (``mentioned_comment.comment_id({id}){fields}``). Percent-encoding keeps "/"
and "?" as data, but not ``..`` (a path segment of its own) nor ``){id},name,…,other{…}``
inside a field expansion. So an id must have its platform's documented shape (platforms.md):

- X, Instagram: digits (X ``id_str``, Instagram comment, media, user and IGSID ids);
- Facebook: digits, or digits joined by ``_`` (``{page-id}_{post-id}``, ``{post-id}_{comment-id}``);
- LinkedIn: URNs, ``urn:li:{type}:{id}`` or ``urn:li:comment:(urn:li:activity:1,2)``.
"""

from __future__ import annotations

import re

from goodword.events import Event, Platform

_DIGITS = r"[0-9]{1,32}"
_LINKEDIN_ID = r"[A-Za-z0-9_-]{1,64}"
_LINKEDIN_URN = rf"urn:li:[A-Za-z]{{1,32}}:{_LINKEDIN_ID}"

SHAPES: dict[Platform, re.Pattern[str]] = {
    Platform.X: re.compile(_DIGITS),
    Platform.INSTAGRAM: re.compile(_DIGITS),
    Platform.FACEBOOK: re.compile(rf"{_DIGITS}(?:_{_DIGITS}){{0,2}}"),
    Platform.LINKEDIN: re.compile(rf"{_LINKEDIN_URN}|urn:li:[A-Za-z]{{1,32}}:\({_LINKEDIN_URN},{_LINKEDIN_ID}\)"),
}
# The bare id inside a LinkedIn comment URN (the last part of urn:li:comment:(…,{id})).
LINKEDIN_COMMENT_ID = re.compile(_LINKEDIN_ID)

DESCRIPTIONS = {
    Platform.X: "an X id (digits)",
    Platform.INSTAGRAM: "an Instagram id (digits)",
    Platform.FACEBOOK: "a Facebook id (digits, or digits joined by _)",
    Platform.LINKEDIN: "a LinkedIn URN (urn:li:type:id)",
}

# The event fields that hold platform ids (and reach requests).
_REF_FIELDS = ("post_id", "comment_id", "parent_id", "media_id", "conversation_id", "in_reply_to_post_id", "quoted_post_id")


def has_shape(platform: Platform | str, value: str) -> bool:
    """Whether ``value`` looks like one of ``platform``'s ids (any id on platforms without a known shape)."""
    shape = SHAPES.get(Platform(platform))
    return shape is None or shape.fullmatch(value) is not None


def misshapen(platform: Platform | str, value: str, what: str) -> str | None:
    """Why ``value`` cannot be ``what`` on ``platform``, or None when it has the platform's shape."""
    if has_shape(platform, value):
        return None
    return f"{what} must be {DESCRIPTIONS[Platform(platform)]}"


def event_problem(event: Event) -> str | None:
    """The first id of ``event`` without its platform's shape, said with the field's name."""
    candidates: list[tuple[str, str | None]] = [("brand_account", event.brand_account)]
    if event.author is not None:
        candidates.append(("author.id", event.author.id))
    candidates += [(f"refs.{name}", getattr(event.refs, name)) for name in _REF_FIELDS]
    for what, value in candidates:
        problem = misshapen(event.platform, value, what) if value is not None else None
        if problem:
            return problem
    return None
