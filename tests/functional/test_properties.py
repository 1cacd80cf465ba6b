"""Property-based: whatever arrives, the answer is never a 5xx or an exception, and nothing
is stored unless the request is correctly signed."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dev_support.platforms import http_api_event, signed_headers
from goodword.webhooks.linkedin import CHALLENGE_CODE
from goodword.webhooks.x import CRC_TOKEN
from tests.conftest import Aws

PLATFORMS = st.sampled_from(["x", "meta", "linkedin", "twitch", "standard", "nope", "", "x/../meta"])
METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", ""])
SIGNATURE_HEADERS = [
    "x-twitter-webhooks-signature",
    "x-hub-signature-256",
    "x-li-signature",
    "twitch-eventsub-message-id",
    "twitch-eventsub-message-timestamp",
    "twitch-eventsub-message-signature",
    "twitch-eventsub-message-type",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
]
HEADERS = st.dictionaries(st.sampled_from(SIGNATURE_HEADERS) | st.text(min_size=1, max_size=20), st.text(max_size=80), max_size=8)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=25,
)
BODIES = st.binary(max_size=300) | JSONISH.map(lambda v: json.dumps(v).encode())
QUERIES = st.text(max_size=80)
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@SETTINGS
@given(platform=PLATFORMS, method=METHODS, headers=HEADERS, body=BODIES, query=QUERIES, b64=st.booleans())
def test_unsigned_random_requests_never_5xx_and_store_nothing(
    receiver: Any,
    lambda_context: Any,
    aws: Aws,
    platform: str,
    method: str,
    headers: dict[str, str],
    body: bytes,
    query: str,
    b64: bool,
) -> None:
    event = http_api_event(platform, body, method=method, headers=headers, query=query, base64_body=b64)
    response = receiver.lambda_handler(event, lambda_context)
    assert 200 <= response["statusCode"] < 500
    if response["statusCode"] >= 400:
        assert json.loads(response["body"])["error"]
    assert aws.all_items() == []


@SETTINGS
@given(
    platform=st.sampled_from(["x", "meta", "linkedin", "twitch", "standard"]),
    body=BODIES,
    message_type=st.sampled_from(["notification", "revocation", "webhook_callback_verification", "other"]),
)
def test_correctly_signed_random_bodies_never_5xx_and_store_only_when_accepted(
    receiver: Any,
    lambda_context: Any,
    aws: Aws,
    platform: str,
    body: bytes,
    message_type: str,
) -> None:
    before = len(aws.all_items())
    headers = signed_headers(platform, body, message_type=message_type)
    response = receiver.lambda_handler(http_api_event(platform, body, headers=headers), lambda_context)
    # A body its platform's handshake would answer for (an X crc_token, a LinkedIn UUID) is never
    # authenticated, however it is signed: a handshake answer is a public signature of it.
    handshake_shaped = {"x": CRC_TOKEN, "linkedin": CHALLENGE_CODE}.get(platform)
    if handshake_shaped is not None and handshake_shaped.fullmatch(body.decode("latin-1")):
        assert json.loads(response["body"])["error"] == "invalid_signature"
        return
    assert response["statusCode"] in (200, 400, 413)
    if response["statusCode"] != 200:
        assert len(aws.all_items()) == before


@SETTINGS
@given(data=JSONISH)
def test_signed_x_envelopes_with_random_contents_never_5xx(receiver: Any, lambda_context: Any, aws: Aws, data: Any) -> None:
    for envelope in (
        {"for_user_id": "1", "tweet_create_events": data},
        {"data": data},
        {"for_user_id": "1", "follow_events": [data]},
        {"object": "instagram", "entry": [data]},
    ):
        platform = "meta" if "object" in envelope else "x"
        body = json.dumps(envelope).encode()
        response = receiver.lambda_handler(http_api_event(platform, body, headers=signed_headers(platform, body)), lambda_context)
        assert response["statusCode"] in (200, 400)
