"""The local stack's emulated event sources behave like Lambda's event source mappings
(tests/e2e/stack/template.yaml wires one function to each)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e


def invocations(stack: RunningStack, kind: str) -> list[list[str]]:
    items = stack.client("dynamodb").query(
        TableName=stack.physical("LogTable"),
        KeyConditionExpression="pk = :k",
        ExpressionAttributeValues={":k": {"S": kind}},
        ConsistentRead=True,
    )["Items"]
    return [json.loads(i["keys"]["S"]) for i in sorted(items, key=lambda i: int(i["sk"]["S"]))]


def put(stack: RunningStack, items: list[dict[str, str]]) -> None:
    """All items in one request: the local AWS serves one request at a time, so the stream holds
    every record before the poller reads again (item-by-item puts could be polled in between)."""
    stack.client("dynamodb").batch_write_item(
        RequestItems={
            stack.physical("SourceTable"): [{"PutRequest": {"Item": {k: {"S": v} for k, v in item.items()}}} for item in items]
        }
    )


def failure_messages(stack: RunningStack) -> list[dict[str, Any]]:
    sqs = stack.client("sqs")
    url = stack.physical("FailureQueue")
    found = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", []):
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_stream_partial_failure_retries_from_the_failed_record_then_goes_to_the_destination(sources_stack: RunningStack) -> None:
    put(
        sources_stack,
        [
            {"pk": "p1", "group": "partial"},
            {"pk": "p2", "group": "partial", "mode": "fail"},
            {"pk": "p3", "group": "partial"},
            {"pk": "other", "group": "elsewhere"},
        ],
    )
    sources_stack.wait_idle()
    batches = invocations(sources_stack, "stream")
    assert batches[0] == ["p1", "p2", "p3"], "one batch; the filter left out the record of another group"
    # MaximumRetryAttempts 2: the first attempt and two retries, each from the failed record on.
    assert batches[1:] == [["p2", "p3"], ["p2", "p3"]]
    (failure,) = [
        m for m in failure_messages(sources_stack) if "DDBStreamBatchInfo" in m and m["DDBStreamBatchInfo"]["batchSize"] == 2
    ]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 3


def test_stream_bisects_a_failing_batch_and_isolates_the_poison_record(sources_stack: RunningStack) -> None:
    put(
        sources_stack,
        [
            {"pk": "b1", "group": "bisect"},
            {"pk": "b2", "group": "bisect", "mode": "raise"},
            {"pk": "b3", "group": "bisect"},
            {"pk": "b4", "group": "bisect"},
        ],
    )
    sources_stack.wait_idle()
    batches = invocations(sources_stack, "bisect")
    processed_alone = [b for b in batches if "b2" not in b]
    assert {key for batch in processed_alone for key in batch} == {"b1", "b3", "b4"}, "healthy records get through"
    assert batches.count(["b2"]) == 2, "the poison record alone: the first attempt and one retry (MaximumRetryAttempts 1)"
    failures = [m for m in failure_messages(sources_stack) if m.get("DDBStreamBatchInfo", {}).get("batchSize") == 1]
    assert failures and failures[0]["responseContext"]["functionError"] == "Unhandled"


def test_sqs_partial_failures_and_redrive_to_the_dead_letter_queue(sources_stack: RunningStack) -> None:
    sqs = sources_stack.client("sqs")
    for body in ("good-1", "poison-1", "good-2"):
        sqs.send_message(QueueUrl=sources_stack.physical("WorkQueue"), MessageBody=body)
    sources_stack.wait_idle(timeout=90)
    received = [body for batch in invocations(sources_stack, "queue") for body in batch]
    assert received.count("good-1") == 1 and received.count("good-2") == 1, "successes are deleted, not redelivered"
    assert received.count("poison-1") == 2, "maxReceiveCount 2"
    dead = sqs.receive_message(QueueUrl=sources_stack.physical("WorkDeadLetterQueue"), MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in dead] == ["poison-1"]


def request(
    stack: RunningStack, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(stack.base_url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_http_requests_become_payload_2_events(sources_stack: RunningStack) -> None:
    status, headers, body = request(
        sources_stack, "GET", "/items/42?a=1&a=2&b=", headers={"Cookie": "c1=x; c2=y", "X-Mixed": "Yes"}
    )
    assert status == 200
    assert headers["x-function"].startswith("goodword-local-HttpFunction")
    assert headers["set-cookie"].startswith("session=abc")
    event = json.loads(body)
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /items/{id}"
    assert (event["rawPath"], event["rawQueryString"]) == ("/items/42", "a=1&a=2&b=")
    assert event["queryStringParameters"] == {"a": "1,2", "b": ""}
    assert event["pathParameters"] == {"id": "42"}
    assert event["cookies"] == ["c1=x", "c2=y"]
    assert event["headers"]["x-mixed"] == "Yes"
    assert event["requestContext"]["http"]["method"] == "GET"
    assert event["requestContext"]["requestId"] and event["requestContext"]["timeEpoch"] > 0


def test_binary_bodies_are_base64_both_ways_and_any_method_reaches_the_proxy_route(sources_stack: RunningStack) -> None:
    status, _, body = request(
        sources_stack, "PUT", "/anything/else", b"\xff\x00binary", {"content-type": "application/octet-stream"}
    )
    event = json.loads(body)
    assert (status, event["routeKey"], event["isBase64Encoded"]) == (200, "ANY /{proxy+}", True)
    assert event["pathParameters"] == {"proxy": "anything/else"}
    status, headers, body = request(sources_stack, "POST", "/binary", b"{}", {"content-type": "application/json"})
    assert (status, headers["content-type"], body) == (201, "application/octet-stream", b"\x00\x01\x02")
    assert request(sources_stack, "GET", "/plain")[2] == b'{"hello": "world"}'
    assert request(sources_stack, "GET", "/crash")[0] == 500, "a function error is API Gateway's 500"


def test_schedules_are_wired_from_the_template(sources_stack: RunningStack) -> None:
    status = sources_stack.status
    assert "TickFunctionTick" in status["event_sources"]


def test_idle_waits_for_work_in_flight(sources_stack: RunningStack) -> None:
    put(sources_stack, [{"pk": f"idle-{n}", "group": "partial"} for n in range(3)])
    sources_stack.wait_idle()  # raises if it never becomes idle
    assert any("idle-0" in batch for batch in invocations(sources_stack, "stream"))
