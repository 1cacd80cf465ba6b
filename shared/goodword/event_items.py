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

from goodword.decisions import Decisions
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


def stored_decisions(event_id: str, record: Decisions) -> dict[str, Any]:
    """The DECISIONS item of a record, as stored (and as `events show --json` prints it)."""
    return {"pk": event_pk(event_id), "sk": DECISIONS_SK, "type": "decisions", **record.to_item()}


def decisions_item(event: Event, record: Decisions, retention: timedelta) -> dict[str, Any]:
    """Why each rule did or did not act on the event; expires after ``retention``. Always
    small enough to store (fitted): an event is decided whatever its length."""
    expires = int((event.received_at + retention).timestamp())
    return fitted(stored_decisions(event.event_id, record.model_copy(update={"expires_at": expires})))


MAX_DECISIONS_BYTES = 300_000  # DynamoDB refuses items over 400 KB; the estimate below is generous
_SHORT_DETAIL = 200


def item_bytes(item: dict[str, Any]) -> int:
    """An upper bound of an item's size as DynamoDB counts it (names and UTF-8 values):
    its JSON, which adds quotes and separators to both."""
    return len(json.dumps(item, separators=(",", ":"), ensure_ascii=False, default=str).encode())


def fitted(item: dict[str, Any]) -> dict[str, Any]:
    """A decisions item under MAX_DECISIONS_BYTES: when too big (many rules, each with
    its facts and explanation), the facts recorded with each decision are left out first,
    then the explanations are shortened, then the decisions keep only rule, version and
    outcome; ``left_out`` says what went."""
    if item_bytes(item) <= MAX_DECISIONS_BYTES:
        return item
    decisions = [dict(d) for d in item.get("decisions", [])]
    for d in decisions:
        d.pop("facts", None)
    item = {**item, "decisions": decisions, "left_out": "facts"}
    if item_bytes(item) > MAX_DECISIONS_BYTES:
        for d in decisions:
            detail = str(d.get("detail", ""))
            d["detail"] = detail if len(detail) <= _SHORT_DETAIL else detail[: _SHORT_DETAIL - 1] + "…"
        item["left_out"] = "facts, long explanations"
    if item_bytes(item) > MAX_DECISIONS_BYTES:
        item["decisions"] = [{k: d.get(k) for k in ("rule_id", "version", "outcome")} for d in decisions]
        item["left_out"] = "facts, explanations"
    while item_bytes(item) > MAX_DECISIONS_BYTES and item["decisions"]:
        item["decisions"] = item["decisions"][: len(item["decisions"]) // 2]
        item["left_out"] = "facts, explanations, decisions of later rules"
    return item


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
