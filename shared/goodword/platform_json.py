"""Lenient readers for platform JSON: an optional field that is absent or of the wrong type
reads as None (or {}), never as an error, and times in every format the platforms use. The
receivers (goodword.webhooks) and enrichment's reading of platform answers both use them; the
strict readers, which refuse a delivery, are goodword.webhooks.payload."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

Json = dict[str, Any]


def opt_text(parent: Json, key: str, max_len: int = 100_000) -> str | None:
    value = parent.get(key)
    if isinstance(value, str) and value:
        return value[:max_len]
    return None


def opt_id(parent: Json, key: str) -> str | None:
    """An optional platform id: a string or integer of at most 256 characters, else None."""
    value = parent.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if -(10**255) < value < 10**256 else None
    if isinstance(value, str) and value and len(value) <= 256 and not re.search(r"[\s#\x00-\x1f\x7f]", value):
        return value
    return None


def opt_obj(parent: Json, key: str) -> Json:
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def opt_int(parent: Json, key: str) -> int | None:
    value = parent.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def opt_bool(parent: Json, key: str) -> bool | None:
    """A JSON boolean, or X's "true"/"false" strings; None when absent or anything else."""
    value = parent.get(key)
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    return None


def opt_time(parent: Json, key: str) -> datetime | None:
    """A time in any format ``parse_time`` reads; None when absent or unreadable."""
    if parent.get(key) is None:
        return None
    missing = datetime.min.replace(tzinfo=UTC)
    parsed = parse_time(parent.get(key), missing)
    return None if parsed == missing else parsed


_FRACTION = re.compile(r"(\.\d{1,6})\d*")


def parse_time(value: Any, fallback: datetime) -> datetime:
    """Parse the time formats platforms use; unknown or absurd values give ``fallback``.

    Accepts epoch seconds or milliseconds (number or digit string), RFC 3339 with any
    number of fractional digits (Twitch sends nanoseconds) and X's legacy
    ``Mon Mar 26 16:33:26 +0000 2018``.
    """
    try:
        if isinstance(value, bool):
            return fallback
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, int | float):
            seconds = value / 1000 if value > 100_000_000_000 else value
            parsed = datetime.fromtimestamp(seconds, tz=UTC)
        elif isinstance(value, str) and len(value) <= 64:
            if value[:3].isalpha():
                parsed = _parse_legacy_x(value)
            else:
                parsed = datetime.fromisoformat(_FRACTION.sub(r"\1", value.replace("Z", "+00:00")))
        else:
            return fallback
    except (ValueError, OverflowError, OSError, TypeError):
        return fallback
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if not 2000 <= parsed.year <= 2200:
        return fallback
    return parsed.astimezone(UTC)


def _parse_legacy_x(value: str) -> datetime:
    # "Mon Mar 26 16:33:26 +0000 2018" -> RFC 2822 order for the stdlib parser.
    parts = value.split()
    if len(parts) != 6:
        raise ValueError(value)
    weekday, month, day, clock, zone, year = parts
    return parsedate_to_datetime(f"{weekday}, {day} {month} {year} {clock} {zone}")
