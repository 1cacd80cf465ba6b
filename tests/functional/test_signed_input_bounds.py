"""Correctly signed input never gets a 5xx: values a platform (or a bridge) can sign but DynamoDB
cannot store are clamped or answered 400 with what is wrong, and nothing is half-written. A 5xx
here would be a poison delivery: the sender retries it forever."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from dev_support.platforms import STANDARD_SECRET, fixture_bytes, http_api_event, load_fixture, signed_headers
from goodword.webhooks.standard import sign
from tests.conftest import Aws


def call(receiver: Any, context: Any, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    response = receiver.lambda_handler(event, context)
    return response["statusCode"], json.loads(response["body"])


def standard_event(**overrides: Any) -> dict[str, Any]:
    return {
        "platform": "mastodon",
        "kind": "mention",
        "natural_id": "status:1",
        "brand_account": "roaster@mastodon.social",
        "occurred_at": datetime.now(UTC).isoformat(),
        "author": {"id": "fan1", "handle": "fan1"},
        "text": "@roaster love it",
        **overrides,
    }


def deliver_standard(receiver: Any, context: Any, body: bytes, timestamp: str | None = None) -> tuple[int, dict[str, Any]]:
    headers = signed_headers("standard", body)
    if timestamp is not None:
        headers.update({"webhook-timestamp": timestamp, "webhook-signature": sign(STANDARD_SECRET, "msg-1", timestamp, body)})
    return call(receiver, context, http_api_event("standard", body, headers=headers))


@pytest.mark.parametrize(
    ("timestamp", "code"),
    [
        ("999999999999", "stale_timestamp"),
        ("²", "invalid_timestamp"),
        ("１７６４", "invalid_timestamp"),
        ("0", "stale_timestamp"),
    ],
)
def test_signed_standard_timestamps_that_are_not_now_get_401_not_500(
    timestamp: str, code: str, receiver: Any, lambda_context: Any, aws: Aws
) -> None:
    body = json.dumps(standard_event()).encode()
    status, answer = deliver_standard(receiver, lambda_context, body, timestamp)
    assert (status, answer["error"]) == (401, code)
    assert aws.all_items() == []


def test_a_follower_count_beyond_what_dynamodb_stores_is_clamped_and_the_mention_kept(
    receiver: Any, lambda_context: Any, aws: Aws
) -> None:
    payload = load_fixture("x/aaa_tweet_create_events_mention.constructed.json")
    payload["tweet_create_events"][0]["user"]["followers_count"] = 10**40
    body = json.dumps(payload, separators=(",", ":")).encode()
    status, answer = call(receiver, lambda_context, http_api_event("x", body, headers=signed_headers("x", body)))
    assert (status, answer["stored"]) == (200, 1)
    (item,) = aws.event_items()
    assert item["author"]["M"]["followers_count"]["N"] == str(2**53 - 1)
    raw = next(i for i in aws.all_items() if i["sk"]["S"] == "RAW")
    assert "1" + "0" * 40 in raw["raw"]["S"], "the raw payload keeps what was sent"

    status, answer = deliver_standard(
        receiver, lambda_context, json.dumps(standard_event(author={"id": "fan2", "followers_count": 10**45})).encode()
    )
    assert (status, answer["stored"]) == (200, 1)


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"refs": {"post_id": "p" * 450_000}}, "refs.post_id"),
        ({"refs": {"comment_id": "c" * 513}}, "refs.comment_id"),
        ({"refs": {"post_id": "12\n34"}}, "refs.post_id"),
        ({"refs": {"media_id": "12\x0034"}}, "refs.media_id"),
        ({"text": "😀" * 60_000}, "text"),
        ({"natural_id": "😀" * 256, "brand_account": "😀" * 256}, "natural_id and brand_account"),
        ({"author": {"id": "fan1", "handle": "h" * 257}}, "author.handle"),
        ({"lang": "x" * 17}, "lang"),
    ],
    ids=["refs-over-400kb", "ref-over-512", "ref-newline", "ref-nul", "text-over-200kb", "key-over-2kb", "handle", "lang"],
)
def test_signed_standard_events_dynamodb_cannot_hold_get_400_naming_the_field(
    overrides: dict[str, Any], named: str, receiver: Any, lambda_context: Any, aws: Aws
) -> None:
    body = json.dumps({"events": [standard_event(natural_id="status:ok"), standard_event(**overrides)]}).encode()
    status, answer = deliver_standard(receiver, lambda_context, body)
    assert (status, answer["error"]) == (400, "invalid_payload")
    assert named in answer["message"]
    assert aws.all_items() == [], "the batch is refused whole: nothing half-written"


def test_the_largest_storable_event_is_stored(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    biggest = standard_event(
        natural_id="n" * 256,
        brand_account="b" * 256,
        text="😀" * 50_000,  # 200,000 bytes
        refs=dict.fromkeys(("post_id", "comment_id", "parent_id", "media_id", "conversation_id"), "r" * 512),
        author={"id": "a" * 256, "handle": "h" * 256, "name": "n" * 512},
    )
    status, answer = deliver_standard(receiver, lambda_context, json.dumps(biggest).encode())
    assert (status, answer["stored"]) == (200, 1)


@pytest.mark.parametrize(
    "reference", [b'"' + b"9" * 600 + b'"', b"9" * 600, b'"12\\u000134"'], ids=["string", "integer", "control-character"]
)
def test_a_signed_platform_payload_with_an_oversized_reference_keeps_the_mention_without_it(
    reference: bytes, receiver: Any, lambda_context: Any, aws: Aws
) -> None:
    body = fixture_bytes("x/aaa_tweet_create_events_mention.constructed.json").replace(
        b'"in_reply_to_status_id_str":null', b'"in_reply_to_status_id_str":' + reference
    )
    status, answer = call(receiver, lambda_context, http_api_event("x", body, headers=signed_headers("x", body)))
    assert (status, answer["stored"]) == (200, 1)
    (item,) = aws.event_items()
    assert "in_reply_to_post_id" not in item.get("refs", {}).get("M", {})
