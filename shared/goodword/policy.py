"""Platform policy as code: which automated contact may follow which event, on which
platform, within which time and length limits (platforms.md §1.6, §2.6, §3.3, §4).

Used twice: a rule that could break it is refused when loaded (save time), and each send is
checked again with the event's facts (execution time, by the actions function).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from goodword.events import EventKind, Platform


class Channel(StrEnum):
    REPLY = "reply"  # public: X reply, Instagram/Facebook comment reply, LinkedIn comment, Twitch chat
    PRIVATE_REPLY = "private_reply"  # Instagram: one DM answering a comment on the brand's media
    DIRECT_MESSAGE = "direct_message"  # X DM, Instagram Send API, Twitch whisper


@dataclass(frozen=True)
class Capability:
    """A channel allowed after these event kinds."""

    channel: Channel
    after: frozenset[EventKind]
    max_length: int
    within: timedelta | None = None  # of the event (Instagram private reply: 7 days; DMs: 24 h)
    source: str = ""


K = EventKind
MATRIX: dict[Platform, tuple[Capability, ...]] = {
    # X: replies only to people who summoned the brand (mention, reply, quote); DMs only
    # where the person wrote first; never an automated welcome DM to a new follower.
    Platform.X: (
        Capability(
            Channel.REPLY,
            frozenset({K.MENTION, K.REPLY, K.QUOTE}),
            280,
            source="X changelog 2026-02-23: programmatic replies only when the author summoned the replier",
        ),
        Capability(
            Channel.DIRECT_MESSAGE,
            frozenset({K.DIRECT_MESSAGE}),
            10_000,
            source="X developer guidelines: no auto-DMs to new followers; consent before automated DMs",
        ),
    ),
    Platform.INSTAGRAM: (
        Capability(
            Channel.PRIVATE_REPLY,
            frozenset({K.COMMENT, K.REPLY}),
            1000,
            timedelta(days=7),
            source="Instagram private replies: one per comment, within 7 days, comments on own media",
        ),
        Capability(Channel.REPLY, frozenset({K.COMMENT, K.MENTION}), 2200, source="ig-comment/replies and ig-user/mentions"),
        Capability(
            Channel.DIRECT_MESSAGE,
            frozenset({K.DIRECT_MESSAGE}),
            1000,
            timedelta(hours=24),
            source="Instagram Send API: 24-hour window after the person's last message",
        ),
    ),
    Platform.FACEBOOK: (
        Capability(Channel.REPLY, frozenset({K.COMMENT, K.REPLY, K.MENTION}), 8000, source="Page comment replies"),
    ),
    Platform.LINKEDIN: (
        Capability(
            Channel.REPLY,
            frozenset({K.MENTION, K.COMMENT}),
            1250,
            source="LinkedIn socialActions comments; no public DM API for organizations",
        ),
    ),
    Platform.TWITCH: (
        Capability(Channel.REPLY, frozenset({K.FOLLOW}), 500, source="Helix chat messages"),
        Capability(
            Channel.DIRECT_MESSAGE,
            frozenset({K.FOLLOW}),
            500,
            source="Helix whispers: 40 new recipients a day, may be dropped silently",
        ),
    ),
}
# The kinds each platform's webhooks can produce (bridges may send any kind).
PRODUCES: dict[Platform, frozenset[EventKind]] = {
    Platform.X: frozenset({K.MENTION, K.REPLY, K.QUOTE, K.LIKE, K.FOLLOW, K.UNFOLLOW, K.DIRECT_MESSAGE}),
    Platform.INSTAGRAM: frozenset({K.MENTION, K.COMMENT, K.REPLY, K.DIRECT_MESSAGE}),
    Platform.FACEBOOK: frozenset({K.MENTION, K.COMMENT, K.REPLY, K.LIKE, K.SHARE}),
    Platform.LINKEDIN: frozenset({K.MENTION, K.COMMENT, K.LIKE, K.SHARE}),
    Platform.TWITCH: frozenset({K.FOLLOW}),
}
# "automatic" delivery: the first allowed channel, in this order of preference.
AUTOMATIC = (Channel.PRIVATE_REPLY, Channel.REPLY, Channel.DIRECT_MESSAGE)
PRIVATE = (Channel.PRIVATE_REPLY, Channel.DIRECT_MESSAGE)


class DeliverLink(StrEnum):
    """Where an offer's claim link goes (a rule's ``deliver_link``).

    X bills public posts that carry a URL, yet a rule that says nothing gets the link in the
    public reply there too (``link_placement``): nothing answers the fan's DM automatically yet,
    so a reply asking for one (``ask_to_dm``) waits for a person to answer it with the offer's
    ``link_message``. A rule chooses ``ask_to_dm`` knowing that."""

    REPLY = "reply"  # in the public reply
    DM = "dm"  # in a private message: Instagram private reply, a DM answering one, a Twitch whisper
    ASK_TO_DM = "ask_to_dm"  # not in the public reply, which asks the person to send a DM


def private_channel(platform: Platform, kind: EventKind) -> Channel | None:
    """The private channel that may answer this event, if any."""
    return next((ch for ch in PRIVATE if capability(platform, ch, kind)), None)


def answers_dms(platform: Platform) -> bool:
    """The person can DM the brand there, and Goodword hears it and may answer it."""
    return K.DIRECT_MESSAGE in PRODUCES.get(platform, frozenset()) and (
        capability(platform, Channel.DIRECT_MESSAGE, K.DIRECT_MESSAGE) is not None
    )


def offer_channel(  # noqa: PLR0911 (one return per refusal)
    platform: Platform, kind: EventKind, deliver_link: DeliverLink | None, wanted: Channel | None
) -> tuple[Channel | None, str | None]:
    """The channel an offer goes out on for this event (``wanted``: the rule's ``delivery``,
    None for automatic), or why it cannot."""
    if deliver_link is None:
        reason = refusal(platform, kind, wanted)
        return (None, reason) if reason else (wanted or automatic_channel(platform, kind), None)
    if platform not in MATRIX:
        return None, f"Goodword cannot contact people on {platform.value} yet"
    if deliver_link is DeliverLink.DM:
        channel = private_channel(platform, kind) if wanted in (None, Channel.DIRECT_MESSAGE) else None
        if wanted is Channel.DIRECT_MESSAGE and capability(platform, wanted, kind) is None:
            channel = None
        if channel is None:
            return None, f"deliver_link dm: no private message may answer a {kind.value} on {platform.value}"
        return channel, None
    if capability(platform, Channel.REPLY, kind) is None:
        return None, f"deliver_link {deliver_link.value}: no public reply may answer a {kind.value} on {platform.value}"
    if deliver_link is DeliverLink.ASK_TO_DM and not answers_dms(platform):
        return None, f"deliver_link ask_to_dm: Goodword cannot answer a direct message on {platform.value}"
    return Channel.REPLY, None


def link_placement(channel: Channel, deliver_link: DeliverLink | None) -> DeliverLink:
    """Where the claim link goes for an offer sent on ``channel``: where the rule's
    ``deliver_link`` says; else in the message itself (a private message: ``dm``; a public
    reply: ``reply``, on every platform, X included: the fan gets the link without waiting for
    a person to answer a DM)."""
    if deliver_link is not None:
        return deliver_link
    return DeliverLink.DM if channel in PRIVATE else DeliverLink.REPLY


def capability(platform: Platform, channel: Channel, kind: EventKind) -> Capability | None:
    return next((c for c in MATRIX.get(platform, ()) if c.channel is channel and kind in c.after), None)


def automatic_channel(platform: Platform, kind: EventKind) -> Channel | None:
    return next((ch for ch in AUTOMATIC if capability(platform, ch, kind)), None)


def refusal(platform: Platform, kind: EventKind, channel: Channel | None) -> str | None:
    """Why this contact may not follow this event (save time), or None."""
    if platform not in MATRIX:
        return f"Goodword cannot contact people on {platform.value} yet"
    if channel is None:
        return None if automatic_channel(platform, kind) else f"no channel may answer a {kind.value} on {platform.value}"
    if capability(platform, channel, kind) is None:
        allowed = sorted(c.channel.value for c in MATRIX[platform] if kind in c.after)
        return f"{channel.value} is not allowed after a {kind.value} on {platform.value}" + (
            f" (allowed: {', '.join(allowed)})" if allowed else ""
        )
    return None


def send_refusal(  # noqa: PLR0911 (one return per policy)
    platform: Platform,
    kind: EventKind,
    channel: Channel,
    message: str,
    event_time: datetime,
    now: datetime,
    *,
    author_blocked_brand: bool = False,
    already_private_replied: bool = False,
    person_wrote_first: bool = False,
) -> str | None:
    """Why this send may not be made now (execution time), or None."""
    if author_blocked_brand:
        return "the person blocked the brand"
    found = capability(platform, channel, kind)
    if found is None:
        return refusal(platform, kind, channel)
    if len(message) > found.max_length:
        return f"the message is {len(message)} characters; {platform.value} {channel.value} allows {found.max_length}"
    if found.within is not None and now - event_time > found.within:
        return f"{platform.value} allows a {channel.value} only within {_span(found.within)} of the {kind.value}"
    if channel is Channel.PRIVATE_REPLY and already_private_replied:
        return "instagram allows one private reply per comment"
    if platform is Platform.X and channel is Channel.DIRECT_MESSAGE and not person_wrote_first:
        return "on x a direct message only answers a person who wrote to the brand first"
    return None


def _span(delta: timedelta) -> str:
    return f"{delta.days} days" if delta.days else f"{int(delta.total_seconds() // 3600)} hours"
