"""Correctly signed input never gets a 5xx: values a platform (or a bridge) can sign but DynamoDB
cannot store are clamped or answered 400 with what is wrong, and nothing is half-written. A 5xx
here would be a poison delivery: the sender retries it forever."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from dev_support.platforms import STANDARD_SECRET, fixture_bytes, http_api_event, load_fixture, signed_headers
from goodword.signing import standard_signature as sign
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


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"occurred_at": "0001-01-01T00:00:00+23:59"}, "occurred_at"),
        ({"occurred_at": "9999-12-31T23:59:59-23:59"}, "occurred_at"),
        ({"author": {"id": "fan1", "created_at": "0001-01-01T00:00:00+23:59"}}, "author.created_at"),
        ({"author": {"id": "fan1", "created_at": "9999-12-31T23:59:59-23:59"}}, "author.created_at"),
    ],
    ids=["occurred-before-year-1-in-utc", "occurred-after-year-9999-in-utc", "created-before", "created-after"],
)
def test_signed_standard_times_outside_what_utc_can_hold_get_400_naming_the_field(
    overrides: dict[str, Any], named: str, receiver: Any, lambda_context: Any, aws: Aws
) -> None:
    body = json.dumps({"events": [standard_event(natural_id="status:ok"), standard_event(**overrides)]}).encode()
    status, answer = deliver_standard(receiver, lambda_context, body)
    assert (status, answer["error"]) == (400, "invalid_payload")
    assert named in answer["message"]
    assert aws.all_items() == []


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "Fri Dec 31 23:59:59 -2359 9999", 10**30, "9" * 40, -(10**20)],
)
def test_platform_times_outside_what_utc_can_hold_fall_back_to_the_receipt_time(value: Any) -> None:
    from goodword.platform_json import opt_time, parse_time

    fallback = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_time(value, fallback) == fallback
    assert opt_time({"created_at": value}, "created_at") is None


BREAKOUT = "1){id},name,business_discovery.username(competitor){followers_count},mentioned_comment.comment_id(1"


def _replaced(fixture: str, old: str, new: str) -> bytes:
    return fixture_bytes(fixture).replace(old.encode(), json.dumps(new)[1:-1].encode())


@pytest.mark.parametrize(
    ("platform", "body", "named"),
    [
        (
            "meta",
            lambda: _replaced("meta/instagram_mentions_comment_fblogin.json", "17894227972186120", BREAKOUT),
            "refs.comment_id",
        ),
        ("meta", lambda: _replaced("meta/instagram_mentions_comment_fblogin.json", "17918195224117851", ".."), "refs.media_id"),
        ("meta", lambda: _replaced("meta/instagram_mentions_comment_fblogin.json", "17841405726653026", ".."), "brand_account"),
        ("meta", lambda: _replaced("meta/facebook_page_mention.constructed.json", "44444444_444444444", ".."), "refs.post_id"),
        (
            "linkedin",
            lambda: _replaced("linkedin/org_social_action_comment.constructed.json", "6441333333905633999", ".."),
            "refs.comment_id",
        ),
        (
            "linkedin",
            lambda: _replaced(
                "linkedin/org_social_action_share_mention.constructed.json", "urn:li:share:6441333333905633322", ".."
            ),
            "refs.conversation_id",
        ),
        (
            "x",
            lambda: fixture_bytes("x/aaa_tweet_create_events_mention.constructed.json").replace(
                b'"id_str":"3001969357"', b'"id_str":".."'
            ),
            "author.id",
        ),
        (
            "standard",
            lambda: json.dumps(
                standard_event(
                    platform="instagram",
                    brand_account="178414",
                    author={"id": "1784"},
                    refs={"media_id": "1", "comment_id": BREAKOUT},
                )
            ).encode(),
            "refs.comment_id",
        ),
        (
            "standard",
            lambda: json.dumps(standard_event(platform="x", brand_account="2244994945", author={"id": ".."})).encode(),
            "author.id",
        ),
    ],
    ids=[
        "ig-comment-breakout",
        "ig-media-dotdot",
        "ig-account-dotdot",
        "fb-post-dotdot",
        "li-comment-dotdot",
        "li-activity-dotdot",
        "x-author-dotdot",
        "bridge-claims-instagram",
        "bridge-claims-x",
    ],
)
def test_signed_ids_without_their_platforms_shape_get_400_naming_the_field(
    platform: str, body: Any, named: str, receiver: Any, lambda_context: Any, aws: Aws
) -> None:
    raw = body()
    status, answer = call(receiver, lambda_context, http_api_event(platform, raw, headers=signed_headers(platform, raw)))
    assert (status, answer["error"]) == (400, "invalid_payload")
    assert named in answer["message"] and "must be" in answer["message"]
    assert aws.all_items() == [], "nothing stored: the id would reach a read or send request"
