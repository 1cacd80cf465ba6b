"""Platform rate windows, for sends (per brand account and channel; platforms.md: X §1.6,
Instagram §2.6, Twitch §4) and for the reads that complete events (per brand account), and
the one way both are enforced across concurrent invocations: conditional counters, one per
window and time bucket. Used by goodword.actions (sends) and goodword.enrichment (reads)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from goodword.policy import Channel


class RateCounter(Protocol):
    def count_rate(self, counter: str, limit: int, expires_at: int) -> bool:
        """Count one more against the counter, if it is under the limit."""
        ...


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


def wait_seconds(counters: RateCounter, key: str, rate_windows: Iterable[Window], now: datetime) -> int:
    """0 when within every window (and counted in each); else seconds until the full window
    ends. ``key`` names what is paced (platform, brand account...): one counter per window
    and bucket, kept one bucket past its own."""
    for window in rate_windows:
        bucket = int(now.timestamp()) // window.seconds
        counter = f"{key}#{window.seconds}#{bucket}"
        if not counters.count_rate(counter, window.limit, (bucket + 2) * window.seconds):
            return max(1, (bucket + 1) * window.seconds - int(now.timestamp()))
    return 0
