"""DynamoDB's attribute-value encoding, one place for every table: Python values in and out,
floats as decimals, numbers back as plain ints or floats; and the reads every adapter and
tool shares: queries and scans page after page, batch reads, batch puts. The write idioms
(conditional, versioned) are in writes.py."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from goodword.aws import clients

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


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


def from_dynamodb(item: dict[str, Any]) -> dict[str, Any]:
    """An item as stored (numbers as Decimal, string sets as sets)."""
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal and sets as sets; callers want plain JSON values."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    return value


def _pages(operation: str, client: Any, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every page of a query or scan: DynamoDB ends a page at 1 MB, the next starts where it
    stopped (LastEvaluatedKey)."""
    dynamodb: Any = client or clients.dynamodb()
    yield from dynamodb.get_paginator(operation).paginate(**request)


def items(operation: str, **request: Any) -> Iterator[dict[str, Any]]:
    """Every item of a query or scan, page after page, as plain values."""
    for page in _pages(operation, None, request):
        for item in page.get("Items", []):
            yield plain(from_dynamodb(item))


def partition(table: str, pk: str, sk_prefix: str | None = None, **request: Any) -> Iterator[dict[str, Any]]:
    """Every item under one partition key (whose sort key starts with ``sk_prefix``), page
    after page, read consistently, as plain values."""
    condition, values = "pk = :pk", {":pk": pk}
    if sk_prefix is not None:
        condition, values = condition + " AND begins_with(sk, :prefix)", {**values, ":prefix": sk_prefix}
    extra = request.pop("ExpressionAttributeValues", {})
    return items(
        "query",
        TableName=table,
        KeyConditionExpression=condition,
        ExpressionAttributeValues={**to_dynamodb(values), **extra},
        ConsistentRead=True,
        **request,
    )


def scan(table: str, *, client: Any = None, **request: Any) -> Iterator[dict[str, Any]]:
    """Every item of a table (those the filter keeps), page after page, as plain values. A
    scan reads the whole table: for a person's request or a tool, never for the pipeline."""
    for item in scan_stored(table, client=client, **request):
        yield plain(from_dynamodb(item))


def scan_stored(table: str, *, client: Any = None, **request: Any) -> Iterator[dict[str, Any]]:
    """Every item of a table, page after page, as stored (DynamoDB's attribute values: what
    a stream record carries)."""
    for page in _pages("scan", client, {"TableName": table, **request}):
        yield from page.get("Items", [])


def scan_count(table: str, *, client: Any = None, **request: Any) -> int:
    """How many items a scan finds (those the filter keeps), page after page."""
    return sum(int(page.get("Count", 0)) for page in _pages("scan", client, {"TableName": table, "Select": "COUNT", **request}))


def key(pk: str, sk: str) -> dict[str, Any]:
    return to_dynamodb({"pk": pk, "sk": sk})


def batch_get(table: str, keys: Iterable[tuple[str, str]], *, keys_only: bool = False) -> dict[tuple[str, str], dict[str, Any]]:
    """Items by (pk, sk), 100 keys a request, unprocessed keys retried, consistent reads;
    ``keys_only``: just which exist (pk and sk), not what they hold."""
    wanted = list(dict.fromkeys(keys))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for start in range(0, len(wanted), 100):
        request: dict[str, Any] = {
            table: {"Keys": [key(pk, sk) for pk, sk in wanted[start : start + 100]], "ConsistentRead": True}
        }
        if keys_only:
            request[table].update(ProjectionExpression="pk, sk")
        while request:
            answer = clients.dynamodb().batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(table, []):
                value = from_dynamodb(item)
                found[(value["pk"], value["sk"])] = value
            request = answer.get("UnprocessedKeys") or {}
    return found


BATCH_WRITE_ITEMS = 25  # BatchWriteItem's most items a request
_BATCH_WRITE_TRIES = 5


def batch_put(table: str, puts: list[dict[str, Any]]) -> bool:
    """Unconditional puts of at most BATCH_WRITE_ITEMS items (one key once) in one request;
    unprocessed items are sent again a few times. False if some were still not written."""
    request: dict[str, Any] = {table: [{"PutRequest": {"Item": to_dynamodb(item)}} for item in puts]}
    for attempt in range(_BATCH_WRITE_TRIES):
        if attempt:
            time.sleep(0.05 * 2**attempt)  # DynamoDB left some unwritten: it is busy, back off
        request = clients.dynamodb().batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        if not request:
            return True
    return False
