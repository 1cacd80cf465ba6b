"""Every vector in the fixtures' vectors.json goes through the real verification code."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dev_support.paths import FIXTURES
from goodword.webhooks.errors import (
    InvalidParameterError,
    InvalidSignatureError,
    MissingParameterError,
    StaleTimestampError,
    VerifyTokenMismatchError,
)
from goodword.webhooks.linkedin import LinkedInAdapter
from goodword.webhooks.meta import MetaAdapter
from goodword.webhooks.request import WebhookRequest
from goodword.webhooks.secrets import LinkedInSecrets, MetaSecrets, StandardSecrets, TwitchSecrets, XSecrets
from goodword.webhooks.standard import StandardAdapter
from goodword.webhooks.twitch import TwitchAdapter
from goodword.webhooks.x import XAdapter

NOW = datetime(2026, 11, 21, tzinfo=UTC)


def vectors(platform: str, *kinds: str) -> list[dict[str, Any]]:
    data = json.loads((FIXTURES / platform / "vectors.json").read_text())
    found = [v for v in data["vectors"] if v["kind"] in kinds]
    assert found, f"no {kinds} vectors for {platform}"
    return found


def request(
    body: str | bytes = b"",
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    method: str = "POST",
    platform: str = "x",
) -> WebhookRequest:
    return WebhookRequest(
        method=method,
        platform=platform,
        headers={k.lower(): v for k, v in (headers or {}).items()},
        query=query or {},
        body=body.encode() if isinstance(body, str) else body,
        received_at=NOW,
    )


@pytest.mark.parametrize("vector", vectors("x", "post_signature"), ids=lambda v: v["status"])
def test_x_post_signature_vectors_verify_and_a_changed_body_does_not(vector: dict[str, Any]) -> None:
    secrets = XSecrets(consumer_secret=vector["consumer_secret"])
    headers = {"x-twitter-webhooks-signature": vector["expected_header"]}
    XAdapter().verify(request(vector["body"], headers), secrets, NOW)
    with pytest.raises(InvalidSignatureError):
        XAdapter().verify(request(vector["body"] + " ", headers), secrets, NOW)


# The legacy docs' CRC example has no published secret, so it cannot be checked.
@pytest.mark.parametrize("vector", [v for v in vectors("x", "crc") if v["consumer_secret"]], ids=lambda v: v["crc_token"])
def test_x_crc_vectors(vector: dict[str, Any]) -> None:
    response = XAdapter().handshake(
        request(method="GET", query={"crc_token": vector["crc_token"]}), XSecrets(consumer_secret=vector["consumer_secret"])
    )
    assert response.status == 200
    assert json.loads(response.body) == vector["expected_response_body"]


def test_meta_verification_vectors() -> None:
    for vector in vectors("meta", "verification"):
        secrets = MetaSecrets(app_secret="unused", verify_token=vector["configured_verify_token"])
        req = request(method="GET", query=vector["request_query"], platform="meta")
        if vector["expected_status"] == 200:
            response = MetaAdapter().handshake(req, secrets)
            assert (response.status, response.body) == (200, vector["expected_body"])
            assert response.content_type.startswith("text/plain")
        else:
            with pytest.raises(VerifyTokenMismatchError) as error:
                MetaAdapter().handshake(req, secrets)
            assert error.value.status == vector["expected_status"]


@pytest.mark.parametrize(
    ("platform", "kind"), [("meta", "post_signature"), ("github", "post_signature"), ("mastodon", "post_signature")]
)
def test_hex_hub_signature_vectors_through_the_meta_verifier(platform: str, kind: str) -> None:
    # GitHub's published vector and Mastodon's use Meta's exact scheme (sha256=<hex HMAC>).
    for vector in vectors(platform, kind):
        secret = vector.get("app_secret") or vector["secret"]
        headers = {"X-Hub-Signature-256": vector["expected_header"]}
        MetaAdapter().verify(
            request(vector["body"], headers, platform="meta"), MetaSecrets(app_secret=secret, verify_token="v"), NOW
        )


def test_meta_unicode_trap_raw_bytes_verify_and_reserialized_bytes_do_not() -> None:
    (vector,) = vectors("meta", "post_signature_unicode_trap")
    secrets = MetaSecrets(app_secret=vector["app_secret"], verify_token="v")
    MetaAdapter().verify(request(vector["raw_body_as_sent"], {"X-Hub-Signature-256": vector["expected_header"]}), secrets, NOW)
    wrong = vector["wrong_if_you_hash_decoded_utf8"]
    with pytest.raises(InvalidSignatureError):
        MetaAdapter().verify(request(wrong["body"], {"X-Hub-Signature-256": vector["expected_header"]}), secrets, NOW)
    with pytest.raises(InvalidSignatureError):
        MetaAdapter().verify(
            request(vector["raw_body_as_sent"], {"X-Hub-Signature-256": wrong["header_you_would_compute"]}), secrets, NOW
        )


def test_linkedin_validation_vectors() -> None:
    for vector in vectors("linkedin", "validation"):
        if vector["status"] == "documented_but_unverifiable":
            continue  # LinkedIn does not publish the secret of its example
        response = LinkedInAdapter().handshake(
            request(method="GET", query={"challengeCode": vector["challengeCode"]}),
            LinkedInSecrets(client_secret=vector["clientSecret"]),
        )
        assert response.content_type == "application/json"
        assert json.loads(response.body) == vector["expected_response_body"]


def test_linkedin_post_signature_documented_and_prefixed_header_readings_verify_and_bare_hex_does_not() -> None:
    (vector,) = vectors("linkedin", "post_signature")
    secrets = LinkedInSecrets(client_secret=vector["clientSecret"])
    alternatives = vector["alternative_readings_seen_in_open_source_code"]
    for header in (vector["expected_X-LI-Signature_primary"], alternatives["header_is_prefix_plus_hex_of_body"]):
        LinkedInAdapter().verify(request(vector["body"], {"X-LI-Signature": header}), secrets, NOW)
    with pytest.raises(InvalidSignatureError):
        LinkedInAdapter().verify(
            request(vector["body"] + "x", {"X-LI-Signature": vector["expected_X-LI-Signature_primary"]}), secrets, NOW
        )
    # The bare hex of the body is exactly what the challenge handshake computes: never a signature.
    with pytest.raises(InvalidSignatureError):
        LinkedInAdapter().verify(
            request(vector["body"], {"X-LI-Signature": alternatives["header_is_hex_of_body_only"]}), secrets, NOW
        )


@pytest.mark.parametrize(
    "vector", vectors("twitch", "notification", "webhook_callback_verification"), ids=lambda v: v["status"] + "-" + v["kind"]
)
def test_twitch_vectors_verify_at_their_time_and_are_stale_ten_minutes_later(vector: dict[str, Any]) -> None:
    secrets = TwitchSecrets(secret=vector["secret"])
    headers = {**vector["headers"], "Twitch-Eventsub-Message-Signature": vector["expected_signature_header"]}
    req = request(vector["body"], headers, platform="twitch")
    sent = datetime.fromisoformat(vector["headers"]["Twitch-Eventsub-Message-Timestamp"][:26] + "+00:00")
    TwitchAdapter().verify(req, secrets, now=sent)  # clock injected: the published vectors are old
    with pytest.raises(StaleTimestampError):
        TwitchAdapter().verify(req, secrets, now=NOW)
    if vector["kind"] == "webhook_callback_verification":
        reply = TwitchAdapter().read(req).reply
        assert reply is not None
        assert (reply.status, reply.body) == (vector["expected_response"]["status"], vector["expected_response"]["body"])
        assert reply.content_type.startswith(vector["expected_response"]["content_type"])


def test_standard_webhooks_published_vectors() -> None:
    (sign,) = vectors("standard_webhooks", "sign")
    (negative,) = vectors("standard_webhooks", "verify_negative")
    secrets = StandardSecrets(secret=sign["secret"])
    sent = datetime.fromtimestamp(int(sign["webhook-timestamp"]), UTC)
    headers = {k: sign[k] for k in ("webhook-id", "webhook-timestamp")}
    StandardAdapter().verify(
        request(sign["body"], {**headers, "webhook-signature": sign["expected_webhook-signature"]}), secrets, sent
    )
    with pytest.raises(InvalidSignatureError):
        StandardAdapter().verify(
            request(negative["body"], {**headers, "webhook-signature": negative["webhook-signature"]}), secrets, sent
        )
    # Several signatures (rotation, or an ed25519 v1a entry): one good v1 entry is enough.
    rotated = f"v1a,AAAA {negative['webhook-signature']} {sign['expected_webhook-signature']}"
    StandardAdapter().verify(request(sign["body"], {**headers, "webhook-signature": rotated}), secrets, sent)
    with pytest.raises(StaleTimestampError):
        StandardAdapter().verify(
            request(sign["body"], {**headers, "webhook-signature": sign["expected_webhook-signature"]}), secrets, NOW
        )


@given(st.text(max_size=200))
def test_no_x_crc_answer_verifies_a_post_of_the_same_text(token: str) -> None:
    secrets = XSecrets(consumer_secret="test")
    try:
        answer = XAdapter().handshake(request(method="GET", query={"crc_token": token}), secrets)
    except (InvalidParameterError, MissingParameterError):
        return
    signature = json.loads(answer.body)["response_token"]
    with pytest.raises(InvalidSignatureError):
        XAdapter().verify(request(token, {"x-twitter-webhooks-signature": signature}), secrets, NOW)


@given(st.uuids().map(str) | st.text(max_size=60))
def test_no_linkedin_challenge_answer_verifies_a_post_of_the_same_text(code: str) -> None:
    secrets = LinkedInSecrets(client_secret="test")
    try:
        answer = LinkedInAdapter().handshake(request(method="GET", query={"challengeCode": code}), secrets)
    except (InvalidParameterError, MissingParameterError):
        return
    response = json.loads(answer.body)["challengeResponse"]
    for signature in (response, "hmacsha256=" + response):
        with pytest.raises(InvalidSignatureError):
            LinkedInAdapter().verify(request(code, {"x-li-signature": signature}), secrets, NOW)
