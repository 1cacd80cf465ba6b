"""How events are laid out in EventsTable (pure; the boto3 calls are in aws.events_table).

    pk = EVENT#<event_id>, sk = EVENT   the normalized event, kept
    pk = EVENT#<event_id>, sk = RAW     the platform's payload, deleted by TTL (expires_at)
    pk = EVENT#<event_id>, sk = DECISIONS  sentiment, profile facts and each rule's decision (TTL)

``gsi1pk = DAY#<yyyy-mm-dd of received_at>`` and ``gsi1sk = <received_at>#<event_id>``
list events by day in arrival order (index ``ByDay``); raw items stay out of it.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from goodword.events import Event

EVENT_SK = "EVENT"
RAW_SK = "RAW"
DECISIONS_SK = "DECISIONS"
ITEM_TYPE_EVENT = "event"
MAX_RAW_BYTES = 300_000  # DynamoDB items stop at 400 KB
DELIVERY_ATTEMPT = "delivery_attempt"  # which receiver attempt wrote the event item


def event_pk(event_id: str) -> str:
    return f"EVENT#{event_id}"


def event_item(event: Event, attempt: str | None = None) -> dict[str, Any]:
    received = event.received_at.isoformat(timespec="milliseconds")
    item = event.model_dump(mode="json", exclude_none=True)
    item.update(
        pk=event_pk(event.event_id),
        sk=EVENT_SK,
        type=ITEM_TYPE_EVENT,
        event_id=event.event_id,
        received_at=received,
        occurred_at=event.occurred_at.isoformat(timespec="milliseconds"),
        gsi1pk=f"DAY#{received[:10]}",
        gsi1sk=f"{received}#{event.event_id}",
    )
    if not item.get("refs"):
        item.pop("refs", None)
    if attempt is not None:
        item[DELIVERY_ATTEMPT] = attempt
    return item


_NOT_EVENT_FIELDS = ("pk", "sk", "type", "event_id", "gsi1pk", "gsi1sk", DELIVERY_ATTEMPT)


def event_from_item(item: dict[str, Any]) -> Event:
    """The event back from its stored item (plain Python values, e.g. a stream image)."""
    fields = {k: v for k, v in item.items() if k not in _NOT_EVENT_FIELDS}
    return Event.model_validate(fields)


def decisions_item(event: Event, record: dict[str, Any], retention: timedelta) -> dict[str, Any]:
    """Why each rule did or did not act on the event; expires after ``retention``."""
    return {
        "pk": event_pk(event.event_id),
        "sk": DECISIONS_SK,
        "type": "decisions",
        **record,
        "expires_at": int((event.received_at + retention).timestamp()),
    }


def raw_item(event: Event, retention: timedelta) -> dict[str, Any]:
    raw = json.dumps(event.raw, separators=(",", ":"), ensure_ascii=False)
    truncated = len(raw.encode()) > MAX_RAW_BYTES
    return {
        "pk": event_pk(event.event_id),
        "sk": RAW_SK,
        "type": "raw",
        "raw": raw.encode()[:MAX_RAW_BYTES].decode(errors="ignore") if truncated else raw,
        "raw_truncated": truncated,
        "expires_at": int((event.received_at + retention).timestamp()),
    }


def author_label(item: dict[str, Any]) -> str:
    """Who wrote a stored event, as people read it: @handle, a name, the platform id, or
    ``(erased)`` once `goodword people erase` took them out."""
    if item.get("erased_at"):
        return "(erased)"
    author = item.get("author") or {}
    return f"@{author['handle']}" if author.get("handle") else author.get("name") or author.get("id") or "(ids only)"
