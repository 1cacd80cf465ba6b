"""Reading what the pipeline stored: events by day (EventsTable's ByDay index), an event with
its raw payload and decisions, offers by state (StateTable's ByState index), work records
and profiles. Read-only."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from goodword.aws import clients
from goodword.aws.events_table import to_dynamodb
from goodword.aws.rules_table import plain
from goodword.aws.state_table import from_dynamodb
from goodword.event_items import DECISIONS_SK, EVENT_SK, RAW_SK, event_pk
from goodword.pipeline.offers import OfferState

_SPAN = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """'30m', '24h', '7d', '2w' ago, or an ISO date or time (UTC unless it says)."""
    now = now or datetime.now(UTC)
    if match := _SPAN.match(text.strip()):
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a time: use 30m, 24h, 7d, 2w, or a date like 2026-11-01") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _pages(operation: str, **request: Any) -> Iterator[dict[str, Any]]:
    client: Any = clients.dynamodb()
    for page in client.get_paginator(operation).paginate(**request):
        for item in page.get("Items", []):
            yield plain(from_dynamodb(item))


def _days(since: datetime, until: datetime) -> Iterator[date]:
    day = since.astimezone(UTC).date()
    while day <= until.astimezone(UTC).date():
        yield day
        day += timedelta(days=1)


def events_since(table: str, since: datetime, until: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Stored events received at or after ``since``, oldest first."""
    until = until or datetime.now(UTC)
    start = since.astimezone(UTC).isoformat(timespec="milliseconds")
    for day in _days(since, until):
        yield from _pages(
            "query",
            TableName=table,
            IndexName="ByDay",
            KeyConditionExpression="gsi1pk = :day AND gsi1sk >= :start",
            ExpressionAttributeValues=to_dynamodb({":day": f"DAY#{day.isoformat()}", ":start": start}),
        )


@dataclass
class StoredEvent:
    event: dict[str, Any]
    raw: dict[str, Any] | None
    decisions: dict[str, Any] | None


def get_event(table: str, event_id: str) -> StoredEvent | None:
    items = {
        i["sk"]: i
        for i in _pages(
            "query",
            TableName=table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues=to_dynamodb({":pk": event_pk(event_id)}),
            ConsistentRead=True,
        )
    }
    if EVENT_SK not in items:
        return None
    return StoredEvent(items[EVENT_SK], items.get(RAW_SK), items.get(DECISIONS_SK))


def batch_get(table: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Items by (pk, sk), 100 keys a request, unprocessed keys retried."""
    wanted = list(dict.fromkeys(keys))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for start in range(0, len(wanted), 100):
        request: dict[str, Any] = {
            table: {"Keys": [to_dynamodb({"pk": pk, "sk": sk}) for pk, sk in wanted[start : start + 100]], "ConsistentRead": True}
        }
        while request:
            answer = clients.dynamodb().batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(table, []):
                value = plain(from_dynamodb(item))
                found[(value["pk"], value["sk"])] = value
            request = answer.get("UnprocessedKeys") or {}
    return found


def decisions_for(table: str, event_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    found = batch_get(table, ((event_pk(e), DECISIONS_SK) for e in event_ids))
    return {pk.removeprefix("EVENT#"): item for (pk, _), item in found.items()}


def offers(table: str, states: Iterable[str] | None = None, since: datetime | None = None) -> list[dict[str, Any]]:
    """Offer records by state (every state when None), newest first."""
    result: list[dict[str, Any]] = []
    for state in states or [s.value for s in OfferState]:
        condition, values = "gsi1pk = :state", {":state": f"OFFERS#{state}"}
        if since is not None:
            condition += " AND gsi1sk >= :since"
            values[":since"] = since.astimezone(UTC).isoformat()
        result.extend(
            _pages(
                "query",
                TableName=table,
                IndexName="ByState",
                KeyConditionExpression=condition,
                ExpressionAttributeValues=to_dynamodb(values),
            )
        )
    return sorted(result, key=lambda o: o.get("created_at", ""), reverse=True)


def work_record(table: str, identifier: str) -> dict[str, Any] | None:
    """An offer or action by id (or by its key, OFFER#... / ACTION#...)."""
    keys = [identifier] if "#" in identifier else [f"OFFER#{identifier}", f"ACTION#{identifier}"]
    found = batch_get(table, ((k, "WORK") for k in keys))
    return next(iter(found.values()), None)


def profile(table: str, person: str) -> dict[str, Any] | None:
    return batch_get(table, [(person, "PROFILE")]).get((person, "PROFILE"))
