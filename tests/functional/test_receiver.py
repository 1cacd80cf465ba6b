"""The receiver handler invoked in process with API Gateway HTTP API events, against moto
tables and the secret created from template.yaml."""

from __future__ import annotations

import base64
import json
from typing import Any
from unittest import mock

import pytest
from botocore.exceptions import ClientError

from dev_support.platforms import (
    LINKEDIN_SECRET,
    META_SECRET,
    META_VERIFY_TOKEN,
    SECRETS,
    TWITCH_SECRET,
    X_SECRET,
    fixture_bytes,
    http_api_event,
    signed_headers,
)
from tests.conftest import Aws

X_MENTION = "x/aaa_tweet_create_events_mention.constructed.json"


def call(receiver: Any, context: Any, event: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
    response = receiver.lambda_handler(event, context)
    body = response["body"]
    parsed = json.loads(body) if response["headers"]["content-type"] == "application/json" else body
    return response["statusCode"], parsed, response["headers"]


def deliver(receiver: Any, context: Any, platform: str, body: bytes, **kwargs: Any) -> tuple[int, Any, dict[str, str]]:
    return call(receiver, context, http_api_event(platform, body, headers=signed_headers(platform, body, **kwargs)))


def test_signed_x_mention_is_stored_once_with_its_raw_payload(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    body = fixture_bytes(X_MENTION)
    status, answer, _ = deliver(receiver, lambda_context, "x", body)
    assert (status, answer) == (200, {"received": 1, "stored": 1, "duplicates": 0, "ignored": 0})

    (item,) = aws.event_items()
    assert item["pk"]["S"] == "EVENT#x#2244994945#tweet:978310196411928576"
    assert (item["platform"]["S"], item["kind"]["S"], item["brand_account"]["S"]) == ("x", "mention", "2244994945")
    assert item["author"]["M"]["handle"]["S"] == "furiouscamper"
    assert item["text"]["S"] == "@XDevelopers loving the new samples!"
    assert item["gsi1pk"]["S"].startswith("DAY#")
    raw = next(i for i in aws.all_items() if i["sk"]["S"] == "RAW")
    assert json.loads(raw["raw"]["S"])["id_str"] == "978310196411928576"
    assert int(raw["expires_at"]["N"]) > 0, "raw payloads expire through the table's TTL attribute"


def test_redelivery_stores_nothing_new_and_still_gets_2xx(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    body = fixture_bytes(X_MENTION)
    deliver(receiver, lambda_context, "x", body)
    status, answer, _ = deliver(receiver, lambda_context, "x", body)
    assert (status, answer["stored"], answer["duplicates"]) == (200, 0, 1)
    assert len(aws.event_items()) == 1
    assert len(aws.all_items()) == 2


def test_base64_encoded_bodies_are_verified_on_the_decoded_bytes(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    body = fixture_bytes("meta/instagram_comments_fblogin.constructed.json")
    event = http_api_event("meta", body, headers=signed_headers("meta", body), base64_body=True)
    status, answer, _ = call(receiver, lambda_context, event)
    assert (status, answer["stored"]) == (200, 1)


@pytest.mark.parametrize(
    ("platform", "fixture", "stored"),
    [
        ("x", "x/xaa_post_mention_create.json", 1),
        ("meta", "meta/facebook_page_feed_comment.constructed.json", 1),
        ("meta", "meta/graph_webhook_user_photos_sample.json", 0),
        ("linkedin", "linkedin/org_social_action_share_mention.constructed.json", 1),
        ("twitch", "twitch/channel_follow_v2_notification.json", 1),
    ],
)
def test_each_platform_end_to_end(receiver: Any, lambda_context: Any, aws: Aws, platform: str, fixture: str, stored: int) -> None:
    status, answer, _ = deliver(receiver, lambda_context, platform, fixture_bytes(fixture))
    assert (status, answer["stored"]) == (200, stored)
    assert len(aws.event_items()) == stored


def test_standard_webhooks_bridge_event(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    event = {
        "platform": "mastodon",
        "kind": "mention",
        "natural_id": "status:109",
        "brand_account": "@roaster@example.social",
        "occurred_at": "2026-11-20T10:00:00+01:00",
        "author": {"id": "42", "handle": "ana@example.social"},
        "text": "@roaster the beans are lovely",
        "refs": {"post_id": "109"},
    }
    status, answer, _ = deliver(
        receiver, lambda_context, "standard", json.dumps({"events": [event]}).encode(), message_id="msg_1"
    )
    assert (status, answer["stored"]) == (200, 1)
    (item,) = aws.event_items()
    assert item["occurred_at"]["S"] == "2026-11-20T09:00:00.000+00:00"
    assert item["delivery_id"]["S"] == "msg_1"


def test_handshakes(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    status, answer, _ = call(receiver, lambda_context, http_api_event("x", method="GET", query="crc_token=abc"))
    assert status == 200 and answer["response_token"].startswith("sha256=")

    query = f"hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={META_VERIFY_TOKEN}"
    status, answer, headers = call(receiver, lambda_context, http_api_event("meta", method="GET", query=query))
    assert (status, answer, headers["content-type"].split(";")[0]) == (200, "1158201444", "text/plain")

    code = "890e4665-4dfe-4ab1-b689-ed553bceeed0"
    status, answer, _ = call(receiver, lambda_context, http_api_event("linkedin", method="GET", query=f"challengeCode={code}"))
    assert status == 200 and answer["challengeCode"] == code and len(answer["challengeResponse"]) == 64

    body = fixture_bytes("twitch/webhook_callback_verification.json")
    status, answer, _ = deliver(receiver, lambda_context, "twitch", body, message_type="webhook_callback_verification")
    assert (status, answer) == (200, "pogchamp-kappa-360noscope-vohiyo")
    assert aws.all_items() == [], "handshakes store nothing"


def _stale_twitch() -> dict[str, Any]:
    from datetime import UTC, datetime, timedelta

    body = fixture_bytes("twitch/channel_follow_v2_notification.json")
    old = datetime.now(UTC) - timedelta(minutes=11)
    return http_api_event("twitch", body, headers=signed_headers("twitch", body, now=old))


def _signed(platform: str, body: bytes) -> dict[str, Any]:
    return http_api_event(platform, body, headers=signed_headers(platform, body))


BAD_INPUT: dict[str, tuple[Any, int, str]] = {
    "unknown platform": (lambda: _signed("x", b"{}") | {"pathParameters": {"platform": "myspace"}}, 404, "unknown_platform"),
    "wrong method": (lambda: http_api_event("x", method="PUT"), 405, "method_not_allowed"),
    "GET where the platform has no GET handshake": (lambda: http_api_event("twitch", method="GET"), 405, "method_not_allowed"),
    "missing signature": (lambda: http_api_event("x", fixture_bytes(X_MENTION)), 401, "missing_signature"),
    "wrong signature": (
        lambda: http_api_event("x", fixture_bytes(X_MENTION), headers={"x-twitter-webhooks-signature": "sha256=AAAA"}),
        401,
        "invalid_signature",
    ),
    "signed with another secret": (
        lambda: http_api_event("meta", b"{}", headers=signed_headers("meta", b"{}", secret="nope")),
        401,
        "invalid_signature",
    ),
    "stale timestamp": (_stale_twitch, 401, "stale_timestamp"),
    "signed but not JSON": (lambda: _signed("x", b"not json"), 400, "invalid_json"),
    "signed JSON of the wrong shape": (lambda: _signed("meta", b'{"hello": "world"}'), 400, "invalid_payload"),
    "signed, right envelope, item without its id": (
        lambda: _signed("x", b'{"for_user_id":"1","tweet_create_events":[{"user":{"id_str":"2"}}]}'),
        400,
        "invalid_payload",
    ),
    "signed standard event with an unknown kind": (
        lambda: _signed(
            "standard",
            b'{"platform":"x","kind":"poke","natural_id":"1","brand_account":"b","occurred_at":"2026-01-01T00:00:00Z"}',
        ),
        400,
        "invalid_payload",
    ),
    "body over the limit": (lambda: _signed("x", b" " * 1_048_577), 413, "payload_too_large"),
    "wrong verify token": (
        lambda: http_api_event("meta", method="GET", query="hub.mode=subscribe&hub.challenge=1&hub.verify_token=no"),
        403,
        "verify_token_mismatch",
    ),
    "CRC without its token": (lambda: http_api_event("x", method="GET"), 400, "missing_parameter"),
    "base64 flag on a body that is not base64": (
        lambda: _signed("x", b"{}") | {"isBase64Encoded": True, "body": "%%%"},
        400,
        "invalid_payload",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_gets_a_clear_error_and_stores_nothing(receiver: Any, lambda_context: Any, aws: Aws, case: str) -> None:
    make_event, expected_status, expected_code = BAD_INPUT[case]
    status, answer, headers = call(receiver, lambda_context, make_event())
    assert (status, answer["error"]) == (expected_status, expected_code)
    assert answer["message"]
    text = json.dumps(answer)
    for secret in (X_SECRET, META_SECRET, META_VERIFY_TOKEN, LINKEDIN_SECRET, TWITCH_SECRET):
        assert secret not in text
    if expected_status == 405:
        assert "GET" in headers["allow"] or headers["allow"] == "POST"
    assert aws.all_items() == []


def test_storage_failure_answers_503_and_the_retry_completes_the_delivery(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    body: dict[str, Any] = json.loads(fixture_bytes("meta/instagram_comments_fblogin.constructed.json"))
    change = body["entry"][0]["changes"][0]
    body["entry"][0]["changes"] = [json.loads(json.dumps(change).replace("17894227972186120", f"9000{n}")) for n in range(3)]
    raw = json.dumps(body).encode()

    from goodword.aws import clients

    real = clients.dynamodb()
    original = real.put_item

    def flaky(**kwargs: Any) -> Any:
        if "90001" in json.dumps(kwargs):
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "PutItem")
        return original(**kwargs)

    with mock.patch.object(real, "put_item", side_effect=flaky):
        status, answer, _ = deliver(receiver, lambda_context, "meta", raw)
    assert (status, answer["error"]) == (503, "storage_unavailable")
    assert len(aws.event_items()) == 2, "what could be written was written"

    status, answer, _ = deliver(receiver, lambda_context, "meta", raw)
    assert (status, answer["stored"], answer["duplicates"]) == (200, 1, 2)
    assert sorted(i["natural_id"]["S"] for i in aws.event_items()) == ["comment:90000", "comment:90001", "comment:90002"]


def test_unconfigured_platform_answers_503_so_the_platform_retries(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    aws.secretsmanager.put_secret_value(SecretId=aws.secrets["WebhookSecret"], SecretString=json.dumps({"x": SECRETS["x"]}))
    status, answer, _ = deliver(receiver, lambda_context, "meta", b"{}")
    assert (status, answer["error"]) == (503, "platform_not_configured")


def test_invalid_secret_document_is_a_503_naming_the_field_not_the_value(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    aws.secretsmanager.put_secret_value(
        SecretId=aws.secrets["WebhookSecret"], SecretString=json.dumps({"twitch": {"secret": "short"}})
    )
    status, answer, _ = deliver(receiver, lambda_context, "twitch", b"{}")
    assert (status, answer["error"]) == (503, "secrets_unavailable")
    assert "twitch.secret" in answer["message"] and "short" not in answer["message"]


def test_rotated_secrets_accept_old_and_new_signatures(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    rotated = {**SECRETS, "x": {"consumer_secret": ["new-x-secret", X_SECRET]}}
    aws.secretsmanager.put_secret_value(SecretId=aws.secrets["WebhookSecret"], SecretString=json.dumps(rotated))
    body = fixture_bytes(X_MENTION)
    assert deliver(receiver, lambda_context, "x", body, secret="new-x-secret")[0] == 200
    assert deliver(receiver, lambda_context, "x", body)[0] == 200
    assert deliver(receiver, lambda_context, "x", body, secret="retired")[0] == 401


def test_metrics_and_logs_per_delivery_without_secrets(
    receiver: Any, lambda_context: Any, aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from goodword.observability import logger

    previous = logger.registered_handler.setStream(sys.stdout)  # type: ignore[attr-defined]
    deliver(receiver, lambda_context, "x", fixture_bytes(X_MENTION))
    call(receiver, lambda_context, http_api_event("x", b"{}", headers={"x-twitter-webhooks-signature": "sha256=bad"}))
    logger.registered_handler.setStream(previous)  # type: ignore[attr-defined]
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    emf = [line for line in lines if "_aws" in line]

    def value(metric: Any) -> float:
        return float(metric[0] if isinstance(metric, list) else metric)

    assert [(m["platform"], m["outcome"], value(m["Deliveries"])) for m in emf] == [
        ("x", "accepted", 1),
        ("x", "invalid_signature", 1),
    ]
    assert value(emf[0]["EventsStored"]) == 1
    logs = [line for line in lines if "message" in line and "_aws" not in line]
    assert {log["message"] for log in logs} >= {"delivery accepted", "delivery rejected"}
    assert all(log.get("correlation_id") == "req-1" for log in logs if log["message"].startswith("delivery"))
    assert X_SECRET not in json.dumps(lines)


def test_signature_header_arriving_in_any_case_is_found(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    body = fixture_bytes(X_MENTION)
    event = http_api_event("x", body)
    event["headers"] = {"X-Twitter-Webhooks-Signature": signed_headers("x", body)["x-twitter-webhooks-signature"]}
    assert call(receiver, lambda_context, event)[0] == 200


def test_binary_garbage_body_is_rejected_not_crashed(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    body = b"\xff\xfe\x00binary"
    status, answer, _ = call(receiver, lambda_context, _signed("x", body))
    assert (status, answer["error"]) == (400, "invalid_json")
    assert base64.b64encode(body)  # the test event carried it base64-encoded, like API Gateway


def test_raw_payload_write_failure_is_a_503_and_the_retry_writes_it(receiver: Any, lambda_context: Any, aws: Aws) -> None:
    from goodword.aws import clients

    real = clients.dynamodb()
    original = real.put_item

    def raw_fails(**kwargs: Any) -> Any:
        if kwargs["Item"]["sk"]["S"] == "RAW":
            raise ClientError({"Error": {"Code": "InternalServerError", "Message": "boom"}}, "PutItem")
        return original(**kwargs)

    body = fixture_bytes(X_MENTION)
    with mock.patch.object(real, "put_item", side_effect=raw_fails):
        assert deliver(receiver, lambda_context, "x", body)[0] == 503
    status, answer, _ = deliver(receiver, lambda_context, "x", body)
    assert (status, answer["duplicates"]) == (200, 1)
    assert sorted(i["sk"]["S"] for i in aws.all_items()) == ["EVENT", "RAW"]
