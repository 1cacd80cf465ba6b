"""Test functions for the local stack's event sources: each records what it received in
LOG_TABLE, and fails on records marked to fail."""

import base64
import json
import os
import time
from typing import Any

import boto3

_dynamodb = boto3.client("dynamodb")


def _log(kind: str, keys: list[Any]) -> None:
    _dynamodb.put_item(
        TableName=os.environ["LOG_TABLE"],
        Item={"pk": {"S": kind}, "sk": {"S": str(time.time_ns())}, "keys": {"S": json.dumps(keys)}},
    )


def _mode(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["NewImage"].get("mode", {}).get("S", "ok"))


def on_stream(event: dict[str, Any], context: Any) -> Any:
    records = event["Records"]
    _log("stream", [r["dynamodb"]["Keys"]["pk"]["S"] for r in records])
    return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in records if _mode(r) == "fail"]}


def on_bisect(event: dict[str, Any], context: Any) -> Any:
    records = event["Records"]
    _log("bisect", [r["dynamodb"]["Keys"]["pk"]["S"] for r in records])
    if any(_mode(r) == "raise" for r in records):
        raise RuntimeError("poison record in the batch")


def on_queue(event: dict[str, Any], context: Any) -> Any:
    records = event["Records"]
    _log("queue", [r["body"] for r in records])
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records if r["body"].startswith("poison")]}


def on_http(event: dict[str, Any], context: Any) -> Any:
    if event["rawPath"] == "/binary":
        return {
            "statusCode": 201,
            "isBase64Encoded": True,
            "headers": {"content-type": "application/octet-stream"},
            "body": base64.b64encode(b"\x00\x01\x02").decode(),
        }
    if event["rawPath"] == "/plain":
        return {"hello": "world"}
    if event["rawPath"] == "/crash":
        raise RuntimeError("boom")
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json", "x-function": context.function_name},
        "cookies": ["session=abc; Path=/"],
        "body": json.dumps(event),
    }


def on_tick(event: dict[str, Any], context: Any) -> Any:
    _log("tick", [event.get("detail-type")])
