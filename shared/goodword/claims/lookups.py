"""The claim page's throttle on code lookups: counted per client (a keyed hash of its address,
``hashing.client_hash``) per minute; the counters expire soon after their minute."""

from __future__ import annotations

from datetime import datetime, timedelta

COUNTER_KEPT = timedelta(minutes=10)  # then TTL deletes the counter


def lookup_minute(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M")


def counter_expires_at(now: datetime) -> int:
    return int((now + COUNTER_KEPT).timestamp())
