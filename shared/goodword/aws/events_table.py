"""Writes events to EventsTable exactly once.

Per event, two writes run in parallel: the event item, conditional on not existing yet
(that condition is the dedupe), and its raw payload item, which expires through TTL. Both
are idempotent, so a retry after any partial failure completes the delivery. A
transaction would make the pair atomic but cost twice the write units and a round trip
more; an orphan raw item is invisible and expires, and an event whose raw write failed is
answered 5xx so the platform's retry writes the raw item too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from goodword.aws import clients
from goodword.event_items import DELIVERY_ATTEMPT, event_item, raw_item
from goodword.events import Event
from goodword.observability import logger
from goodword.webhooks.errors import StorageUnavailableError
from goodword.webhooks.receive import StoreResult

_serializer = TypeSerializer()
# Reused across invocations of a warm container; boto3 clients are thread-safe.
_writers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="events-writer")


def _decimals(value: Any) -> Any:
    """DynamoDB numbers are decimal: floats go through their shortest repr."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decimals(v) for v in value]
    return value


def to_dynamodb(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(_decimals(value)) for key, value in item.items()}


class EventsTable:
    def __init__(self, table_name: str, raw_retention: timedelta) -> None:
        self.table_name = table_name
        self.raw_retention = raw_retention

    def save(self, events: Sequence[Event]) -> StoreResult:
        """Store every event not stored before. Raises StorageUnavailableError if any write
        failed; the platform's retry then completes the delivery (written ones dedupe)."""
        # Each save marks its writes with an attempt id, so that when botocore retries a write
        # that had landed (its answer lost), the retry is recognised as this delivery's own and
        # answered "stored", not "duplicate": only another delivery's write is a duplicate.
        attempt = uuid.uuid4().hex
        raw_writes = [_writers.submit(self._put_raw, event) for event in events]
        # One event (the common case) is written from this thread; a batch in parallel.
        if len(events) == 1:
            outcomes = [self._put_event(events[0], attempt)]
        else:
            outcomes = list(_writers.map(self._put_event, events, [attempt] * len(events)))
        raw_ok = all(write.result() for write in raw_writes)
        if None in outcomes or not raw_ok:
            raise StorageUnavailableError("events could not be stored; retry the delivery")
        stored = sum(1 for outcome in outcomes if outcome)
        return StoreResult(stored=stored, duplicates=len(outcomes) - stored)

    def _put_event(self, event: Event, attempt: str) -> bool | None:
        """True: stored (by this attempt). False: already stored by another. None: failed."""
        try:
            clients.dynamodb().put_item(
                TableName=self.table_name,
                Item=to_dynamodb(event_item(event, attempt)),
                ConditionExpression="attribute_not_exists(pk) OR #a = :a",
                ExpressionAttributeNames={"#a": DELIVERY_ATTEMPT},
                ExpressionAttributeValues={":a": {"S": attempt}},
            )
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            _log_failure(event, exc.response.get("Error", {}).get("Code"))
        except BotoCoreError as exc:
            _log_failure(event, type(exc).__name__)
        except Exception:  # anything else is still "not stored": answer 5xx so the platform retries
            logger.exception("event write failed", extra={"event_id": event.event_id})
        return None

    def _put_raw(self, event: Event) -> bool:
        try:
            clients.dynamodb().put_item(TableName=self.table_name, Item=to_dynamodb(raw_item(event, self.raw_retention)))
            return True
        except (ClientError, BotoCoreError) as exc:
            _log_failure(event, type(exc).__name__, what="raw payload")
        except Exception:
            logger.exception("raw payload write failed", extra={"event_id": event.event_id})
        return False


def _log_failure(event: Event, error: str | None, what: str = "event") -> None:
    logger.error(f"{what} write failed", extra={"event_id": event.event_id, "error": error})
