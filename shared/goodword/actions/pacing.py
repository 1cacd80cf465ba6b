"""Platform rate limits per brand account and channel (platforms.md: X §1.6, Instagram
§2.6, Twitch §4), enforced across concurrent invocations with conditional counters."""

from __future__ import annotations

from dataclasses import dataclass

from goodword.policy import Channel


@dataclass(frozen=True)
class Window:
    limit: int
    seconds: int
    source: str


LIMITS: dict[tuple[str, Channel], tuple[Window, ...]] = {
    ("x", Channel.REPLY): (
        Window(100, 900, "X: 100 posts / 15 min per user"),
        Window(10_000, 86_400, "X: 10,000 / 24 h per app"),
    ),
    ("x", Channel.DIRECT_MESSAGE): (Window(15, 900, "X: 15 DMs / 15 min per user"), Window(1_440, 86_400, "X: 1,440 DMs / 24 h")),
    ("instagram", Channel.PRIVATE_REPLY): (Window(750, 3_600, "Meta: 750 private replies / hour per account"),),
    ("instagram", Channel.DIRECT_MESSAGE): (Window(300, 1, "Meta Send API: 300 calls / s"),),
    ("twitch", Channel.DIRECT_MESSAGE): (Window(3, 1, "Twitch whispers: 3 / s"), Window(100, 60, "Twitch whispers: 100 / min")),
    ("twitch", Channel.REPLY): (Window(20, 30, "Twitch chat: 20 messages / 30 s"),),
}


def windows(platform: str, channel: Channel) -> tuple[Window, ...]:
    return LIMITS.get((platform, channel), ())


# Reads that complete events (goodword.enrichment), per brand account. Goodword's own pace,
# kept well under each platform's published budget so that sends are never starved.
READ_LIMITS: dict[str, tuple[Window, ...]] = {
    "x": (Window(300, 900, "X users lookup: 300 / 15 min (Goodword's pace; X allows more per app)"),),
    "instagram": (Window(200, 3600, "Graph API: 200 reads / hour per account (Goodword's pace)"),),
    "facebook": (Window(200, 3600, "Graph API: 200 reads / hour per Page (Goodword's pace)"),),
    "linkedin": (Window(500, 86_400, "LinkedIn: 500 reads / day per organization (Goodword's pace)"),),
}


def read_windows(platform: str) -> tuple[Window, ...]:
    return READ_LIMITS.get(platform, ())
