"""How far back a listing, a report or a backtest looks, as people write it: '30m', '24h',
'7d', '2w' ago, or an ISO date or time (UTC unless it says). The command's --since and the
console's ?since= read it the same way."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from goodword.services.errors import Invalid, Problem

_SPAN = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def since_time(text: str, now: datetime | None = None) -> datetime:
    """The moment ``text`` names; ValueError with what to write instead."""
    now = now or datetime.now(UTC)
    if match := _SPAN.match(text.strip()):
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a time: use 30m, 24h, 7d, 2w, or a date like 2026-11-01") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def since(text: str, field: str = "since", now: datetime | None = None) -> datetime:
    """The same, refused as Invalid (the problem at ``field``) for a service's caller."""
    try:
        return since_time(text, now)
    except ValueError as exc:
        raise Invalid([Problem(field, str(exc))]) from None
