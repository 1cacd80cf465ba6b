"""What each platform's ids look like, checked before an id is stored or put in a request.

Ids come from webhooks (and from bridges, which may claim any platform) and end up inside
read and send requests: as a URL path segment (``/{comment-id}/replies``), or inside a Graph
field expansion (``mentioned_comment.comment_id({id}){fields}``). Percent-encoding keeps "/"
and "?" as data, but not ``..`` (a path segment of its own) nor ``){id},name,…,other{…}``
inside a field expansion. So an id must have its platform's shape (platforms.md), in the
id alphabet (letters, digits, ``_`` and ``-``, which readable test and bridge ids also use):
none of ``.``, ``/``, ``(``, ``)``, ``{``, ``}``, ``,`` can leave a segment or an expansion.

- X, Instagram, Facebook: one token of that alphabet (X ``id_str`` and Instagram comment,
  media, user and IGSID ids are digits; Facebook joins them with ``_``: ``{page-id}_{post-id}``);
- LinkedIn: URNs, ``urn:li:{type}:{id}`` or ``urn:li:comment:(urn:li:activity:1,2)``.
"""

from __future__ import annotations

import re

from goodword.events import Event, Platform

_TOKEN = r"[A-Za-z0-9_-]{1,64}"
_LINKEDIN_ID = _TOKEN
_LINKEDIN_URN = rf"urn:li:[A-Za-z]{{1,32}}:{_LINKEDIN_ID}"

SHAPES: dict[Platform, re.Pattern[str]] = {
    Platform.X: re.compile(_TOKEN),
    Platform.INSTAGRAM: re.compile(_TOKEN),
    Platform.FACEBOOK: re.compile(_TOKEN),
    Platform.LINKEDIN: re.compile(rf"{_LINKEDIN_URN}|urn:li:[A-Za-z]{{1,32}}:\({_LINKEDIN_URN},{_LINKEDIN_ID}\)"),
}
# The bare id inside a LinkedIn comment URN (the last part of urn:li:comment:(…,{id})).
LINKEDIN_COMMENT_ID = re.compile(_LINKEDIN_ID)

DESCRIPTIONS = {
    Platform.X: "an X id (digits; letters, _ and - at most)",
    Platform.INSTAGRAM: "an Instagram id (digits; letters, _ and - at most)",
    Platform.FACEBOOK: "a Facebook id (digits joined by _; letters and - at most)",
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
