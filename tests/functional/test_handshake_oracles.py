"""No answer the receiver gives without authentication can be used as a signature.

The attack: ask a handshake to "answer" a body the attacker wrote (X's crc_token and LinkedIn's
challengeCode are HMACs of the input under the same secret that signs deliveries), then POST that
body with the answer as its signature. Every platform is tried with every unauthenticated answer
it gives, in every encoding a verifier could accept; each attempt must get 401 and store nothing.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, quote

import pytest

from dev_support.platforms import META_VERIFY_TOKEN, http_api_event, signed_headers
from tests.conftest import Aws

# A positive first mention by an invented author: what a forger wants stored.
FORGED = {
    "x": {
        "for_user_id": "2244994945",
        "tweet_create_events": [
            {
                "id_str": "1999999999999999999",
                "created_at": "Wed Nov 25 10:00:00 +0000 2026",
                "text": "@brand I love this, best product ever!",
                "user": {"id_str": "666", "screen_name": "forger", "followers_count": 5000},
                "entities": {"user_mentions": [{"id_str": "2244994945", "screen_name": "brand"}]},
            }
        ],
    },
    "linkedin": {
        "type": "ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS",
        "notifications": [
            {
                "notificationId": 666,
                "organizationalEntity": "urn:li:organization:12345",
                "action": "SHARE_MENTION",
                "sourcePost": "urn:li:activity:666",
                "generatedActivity": "urn:li:share:666",
                "lastModifiedAt": 1764064800000,
            }
        ],
    },
    "meta": {"object": "instagram", "entry": [{"id": "17841400000000000", "time": 1764064800, "changes": []}]},
    "twitch": {"subscription": {"id": "s", "type": "channel.follow"}, "event": {"broadcaster_user_id": "1", "user_id": "666"}},
    "standard": {
        "platform": "x",
        "kind": "mention",
        "natural_id": "tweet:666",
        "brand_account": "2244994945",
        "occurred_at": "2026-11-25T10:00:00Z",
        "text": "@brand I love this!",
    },
}
SIGNATURE_HEADERS = {
    "x": "x-twitter-webhooks-signature",
    "meta": "x-hub-signature-256",
    "linkedin": "x-li-signature",
    "twitch": "twitch-eventsub-message-signature",
    "standard": "webhook-signature",
}


def body_of(platform: str) -> bytes:
    return json.dumps(FORGED[platform], separators=(",", ":")).encode()


def call(receiver: Any, context: Any, event: dict[str, Any]) -> tuple[int, str]:
    response = receiver.lambda_handler(event, context)
    return response["statusCode"], response["body"]


def unauthenticated_requests(platform: str, body: bytes) -> list[dict[str, Any]]:
    """Everything an outsider can ask without a secret: handshakes on the forged body (raw and as
    a token), on a well-formed token, and unsigned or badly signed POSTs."""
    token_like = ["challenge_string", "890e4665-4dfe-4ab1-b689-ed553bceeed0", "1158201444"]
    queries = []
    for value in [body.decode(), *token_like]:
        encoded = quote(value, safe="")
        queries += [
            f"crc_token={encoded}",
            f"challengeCode={encoded}",
            f"hub.mode=subscribe&hub.challenge={encoded}&hub.verify_token=guess",
            f"hub.mode=subscribe&hub.challenge={encoded}&hub.verify_token={META_VERIFY_TOKEN[:-1]}",
        ]
    requests = [http_api_event(platform, method="GET", query=q) for q in queries]
    requests.append(http_api_event(platform, body))
    requests.append(http_api_event(platform, body, headers={SIGNATURE_HEADERS[platform]: "sha256=00"}))
    return requests


def candidate_signatures(answer: str) -> set[str]:
    """Every string in an answer, with and without the prefixes the verifiers use."""
    pieces = {answer}
    try:
        parsed = json.loads(answer)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        pieces |= {str(v) for v in parsed.values()}
    pieces |= set(re.findall(r"[A-Za-z0-9+/=_-]{16,}", answer))
    bare = {p.removeprefix("sha256=").removeprefix("hmacsha256=").removeprefix("v1,") for p in pieces}
    return {f"{prefix}{b}" for b in bare for prefix in ("", "sha256=", "hmacsha256=", "v1,")}


def forged_post(platform: str, body: bytes, signature: str) -> dict[str, Any]:
    headers = {k.lower(): v for k, v in signed_headers(platform, body).items()}  # ids and timestamps
    headers[SIGNATURE_HEADERS[platform]] = signature
    return http_api_event(platform, body, headers=headers)


@pytest.mark.parametrize("platform", ["x", "linkedin", "meta", "twitch", "standard"])
def test_no_unauthenticated_answer_signs_a_delivery(platform: str, receiver: Any, lambda_context: Any, aws: Aws) -> None:
    forged = body_of(platform)
    answers: list[tuple[bytes, str]] = []  # (the body the answer was asked about, the answer)
    for request in unauthenticated_requests(platform, forged):
        status, answer = call(receiver, lambda_context, request)
        assert status < 500, f"unauthenticated {request['rawQueryString'] or 'POST'} got {status}"
        params = parse_qs(request["rawQueryString"])
        value = next((params[k][0] for k in ("crc_token", "challengeCode", "hub.challenge") if k in params), None)
        answers.append((forged if value is None else value.encode(), answer))
    assert answers

    attempts = 0
    for asked, answer in answers:
        for signature in candidate_signatures(answer):
            for target in {forged, asked}:
                status, reply = call(receiver, lambda_context, forged_post(platform, target, signature))
                attempts += 1
                assert status == 401, f"{platform}: {signature!r} on {target[:40]!r} got {status} {reply}"
    assert attempts > 20
    assert aws.all_items() == [], "nothing is stored for an unauthenticated delivery"


@pytest.mark.parametrize(
    ("platform", "query"),
    [
        ("x", "crc_token=" + quote(json.dumps(FORGED["x"]))),
        ("x", "crc_token=" + "a" * 129),
        ("x", "crc_token=has%20space"),
        ("linkedin", "challengeCode=" + quote(json.dumps(FORGED["linkedin"]))),
        ("linkedin", "challengeCode=890e"),
        ("linkedin", "challengeCode=890e4665-4dfe-4ab1-b689-ed553bceeed0x"),
    ],
)
def test_handshakes_refuse_input_that_is_not_token_shaped(platform: str, query: str, receiver: Any, lambda_context: Any) -> None:
    status, answer = call(receiver, lambda_context, http_api_event(platform, method="GET", query=query))
    assert status == 400
    assert json.loads(answer)["error"] == "invalid_parameter"
    assert "sha256=" not in answer and "challengeResponse" not in answer


@pytest.mark.parametrize(
    ("platform", "query"),
    [
        ("x", "crc_token=challenge_string"),
        ("x", "crc_token=Kk8dn3S1f-xL_Zq%2B%2F%3D"),
        ("linkedin", "challengeCode=890e4665-4dfe-4ab1-b689-ed553bceeed0"),
    ],
)
def test_handshakes_still_answer_documented_tokens(platform: str, query: str, receiver: Any, lambda_context: Any) -> None:
    status, answer = call(receiver, lambda_context, http_api_event(platform, method="GET", query=query))
    assert status == 200
    assert set(json.loads(answer)) in ({"response_token"}, {"challengeCode", "challengeResponse"})
