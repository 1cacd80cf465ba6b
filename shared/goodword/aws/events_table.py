"""Writes events to EventsTable exactly once: each event and its raw payload in one
transaction, conditional on the event not existing yet."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from goodword.aws import clients
from goodword.event_items import event_item, raw_item
from goodword.events import Event
from goodword.observability import logger
from goodword.webhooks.errors import StorageUnavailableError
from goodword.webhooks.receive import StoreResult

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

_serializer = TypeSerializer()
_MAX_PARALLEL_WRITES = 8


def to_dynamodb(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in item.items()}


class EventsTable:
    def __init__(self, table_name: str, raw_retention: timedelta) -> None:
        self.table_name = table_name
        self.raw_retention = raw_retention

    def save(self, events: Sequence[Event]) -> StoreResult:
        """Store every event not stored before. Raises StorageUnavailableError if any write
        failed; the platform's retry then completes the delivery (written ones dedupe)."""
        if len(events) == 1:
            outcomes = [self._put(events[0])]
        else:
            with ThreadPoolExecutor(max_workers=min(_MAX_PARALLEL_WRITES, len(events))) as pool:
                outcomes = list(pool.map(self._put, events))
        if None in outcomes:
            raise StorageUnavailableError("events could not be stored; retry the delivery")
        stored = sum(1 for outcome in outcomes if outcome)
        return StoreResult(stored=stored, duplicates=len(outcomes) - stored)

    def _put(self, event: Event) -> bool | None:
        """True: stored. False: already stored. None: failed."""
        items: list[TransactWriteItemTypeDef] = [
            {
                "Put": {
                    "TableName": self.table_name,
                    "Item": to_dynamodb(event_item(event)),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            {"Put": {"TableName": self.table_name, "Item": to_dynamodb(raw_item(event, self.raw_retention))}},
        ]
        try:
            clients.dynamodb().transact_write_items(TransactItems=items)
            return True
        except ClientError as exc:
            if _is_duplicate(exc):
                return False
            logger.error(
                "event write failed", extra={"event_id": event.event_id, "error": exc.response.get("Error", {}).get("Code")}
            )
            return None
        except BotoCoreError as exc:
            logger.error("event write failed", extra={"event_id": event.event_id, "error": type(exc).__name__})
            return None
        except Exception:  # anything else is still "not stored": answer 5xx so the platform retries
            logger.exception("event write failed", extra={"event_id": event.event_id})
            return None


def _is_duplicate(exc: ClientError) -> bool:
    error = exc.response.get("Error", {})
    if error.get("Code") == "ConditionalCheckFailedException":
        return True
    if error.get("Code") != "TransactionCanceledException":
        return False
    reasons = exc.response.get("CancellationReasons") or []
    return bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed"
