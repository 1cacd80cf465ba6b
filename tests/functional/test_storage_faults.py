"""Storage faults the receiver and the actions function must answer truthfully: slow storage
is a 503 inside the function's time budget (never Lambda's own 500 on timeout), and a write
whose answer was lost, retried by botocore, counts as this delivery's own, not a duplicate."""

from __future__ import annotations

import collections
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError
from moto.core.exceptions import JsonRESTError

from dev_support.platforms import fixture_bytes, http_api_event, signed_headers
from dev_support.template import template
from goodword.aws import clients
from goodword.aws.codec import from_dynamodb
from tests.conftest import Aws

X_MENTION = "x/aaa_tweet_create_events_mention.constructed.json"


class InternalServerError(JsonRESTError):
    code = 500  # retryable: botocore's standard mode tries the call again


def lost_answer_once(monkeypatch: pytest.MonkeyPatch, method: str, applies: Callable[..., bool]) -> list[int]:
    """The first matching DynamoDB write lands, then its answer is lost (a 500 after the write)."""
    from moto.dynamodb.models import DynamoDBBackend

    original = getattr(DynamoDBBackend, method)
    lost: list[int] = []

    def landed_then_lost(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        if not lost and applies(*args, **kwargs):
            lost.append(1)
            raise InternalServerError("InternalServerError", "the answer was lost")
        return result

    monkeypatch.setattr(DynamoDBBackend, method, landed_then_lost)
    return lost


def deliver(receiver: Any, context: Any, body: bytes, request_id: str = "req-1") -> tuple[int, dict[str, Any]]:
    event = http_api_event("x", body, headers=signed_headers("x", body), request_id=request_id)
    response = receiver.lambda_handler(event, context)
    return response["statusCode"], json.loads(response["body"])


def test_a_write_that_landed_but_whose_answer_was_lost_is_stored_not_a_duplicate(
    receiver: Any, lambda_context: Any, aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    lost = lost_answer_once(monkeypatch, "put_item", lambda table, item, *a, **k: item["sk"]["S"] == "EVENT")
    body = fixture_bytes(X_MENTION)
    status, answer = deliver(receiver, lambda_context, body)
    assert lost, "the fault was injected"
    assert (status, answer["stored"], answer["duplicates"]) == (200, 1, 0)
    # The platform's own redelivery is a duplicate, as before.
    status, answer = deliver(receiver, lambda_context, body, request_id="req-2")
    assert (status, answer["stored"], answer["duplicates"]) == (200, 0, 1)
    assert len(aws.event_items()) == 1


def test_slow_storage_is_answered_503_after_the_receivers_budget_of_attempts(
    receiver: Any, lambda_context: Any, aws: Aws, caplog: pytest.LogCaptureFixture
) -> None:
    receiver._dependencies()  # the receiver's clients, with its budget
    calls: list[str] = []

    def timeout(**kwargs: Any) -> None:
        calls.append("PutItem")
        raise ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")

    client = clients.dynamodb()
    config: Any = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (0.5, 1.0)
    client.meta.events.register_first("before-send.dynamodb.PutItem", timeout)
    try:
        status, answer = deliver(receiver, lambda_context, fixture_bytes(X_MENTION))
    finally:
        client.meta.events.unregister("before-send.dynamodb.PutItem", timeout)
    assert (status, answer["error"]) == (503, "storage_unavailable")
    assert len(calls) == 2 * clients.RECEIVER.attempts, "event and raw writes, each tried the budget's attempts"
    assert "delivery not stored; the platform will retry" in caplog.text
    assert aws.event_items() == []


def _timeout(resource: dict[str, Any], tpl: dict[str, Any]) -> int:
    return int(resource["Properties"].get("Timeout", tpl["Globals"]["Function"]["Timeout"]))


def test_every_functions_aws_budget_fits_inside_its_timeout_with_time_to_answer() -> None:
    tpl = template()
    resources = tpl["Resources"]
    receiver = _timeout(resources["ReceiveWebhookFunction"], tpl)
    # Two calls one after the other at most (secret on a cold start, then the writes) and 1 s to answer.
    assert 2 * clients.RECEIVER.worst_case_seconds + 1 <= receiver
    for name in ("ApplyRulesFunction", "PerformActionsFunction"):
        assert 2 * clients.WORKER.worst_case_seconds + 1 <= _timeout(resources[name], tpl), name


def test_a_claim_that_landed_but_whose_answer_was_lost_still_sends_once(
    aws: Aws, pipeline: Any, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.functional.test_perform_actions import offer_for_a_fan, perform

    records = offer_for_a_fan(aws, pipeline, lambda_context)
    lost = lost_answer_once(monkeypatch, "update_item", lambda *a, **k: ":sending" in str(k.get("expression_attribute_values")))
    from perform_actions import handler

    handler._performer.cache_clear()
    assert perform(handler, lambda_context, records) == {"batchItemFailures": []}
    assert lost, "the fault was injected"
    items = [from_dynamodb(i) for i in aws.dynamodb.scan(TableName=aws.tables["StateTable"])["Items"]]
    (offer,) = [i for i in items if i["sk"] == "WORK" and i["kind"] == "offer_sample"]
    assert offer["state"] == "sent", offer.get("reason")


class _TimedOut(Exception):
    """The function's time ran out: every call after it fails, as when Lambda stops the function."""


def _big_x_delivery(count: int) -> bytes:
    brand = "2244994945"
    tweets = [
        {
            "id_str": str(1_900_000_000_000_000_000 + n),
            "timestamp_ms": "1764750000000",
            "text": f"@roaster the beans of batch {n} are lovely",
            "user": {"id_str": str(3_000_000_000 + n), "screen_name": f"fan{n}", "followers_count": 10},
            "entities": {"user_mentions": [{"id_str": brand}]},
        }
        for n in range(count)
    ]
    return json.dumps({"for_user_id": brand, "tweet_create_events": tweets}, separators=(",", ":")).encode()


def test_a_delivery_too_big_for_one_attempt_is_stored_whole_by_its_retries(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    """4,000 events in one X delivery (~0.9 MB, under MaxWebhookBodyBytes) when an attempt has time
    for 3,000 DynamoDB calls: each retry must progress (it used to write 4,000 raw payloads
    first, one call each, and time out before any event, on every retry)."""
    body = _big_x_delivery(4_000)
    assert 800_000 < len(body) < 1_048_576
    receiver._dependencies()
    client = clients.dynamodb()
    budget, calls = 3_000, itertools.count()

    def out_of_time(**kwargs: Any) -> None:
        if next(calls) >= budget:
            raise _TimedOut

    client.meta.events.register_first("before-send.dynamodb", out_of_time)
    answers: list[int] = []
    try:
        for _ in range(4):  # the platform's retries
            calls = itertools.count()
            try:
                status = deliver(receiver, lambda_context, body)[0]
            except _TimedOut:
                status = 500
            answers.append(status)
            if status == 200:
                break
    finally:
        client.meta.events.unregister("before-send.dynamodb", out_of_time)
    assert answers[-1] == 200 and len(answers) <= 3, f"stored in at most two retries: {answers}"
    pages = aws.dynamodb.get_paginator("scan").paginate(TableName=aws.events_table, ProjectionExpression="sk")
    kinds = collections.Counter(item["sk"]["S"] for page in pages for item in page["Items"])
    assert (kinds["EVENT"], kinds["RAW"]) == (4_000, 4_000)
