"""POST /claims/{claim_id}/redeemed on moto, through the handler with the template's environment:
the shop's signed request redeems a fulfilled claim (the claim and its offer move together, the
bus hears ids), a repeat is idempotent, and unsigned, forged, unknown and not-yet-fulfilled
requests are answered 401/404/409 and move nothing. The log lines name no claimant."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest

from dev_support.platforms import http_api_event
from dev_support.template import function_environment
from goodword.aws import clients
from goodword.aws.state_table import StateTable
from goodword.claims.states import ClaimState
from goodword.signing import signed_headers
from goodword.work import WorkState, work_id
from tests.conftest import Aws
from tests.functional.test_expiry_schedule import FAN, NOW, claim_for, claims_table, logged, offer, store

SHOP_SECRET = "whsec_c2hvcC1zZWNyZXQtZm9yLXRlc3RzLW9ubHktMTIzNA=="


@pytest.fixture
def redemption(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    refs = {**aws.tables, **aws.secrets, **aws.queues, "GoodwordEventBus": "GoodwordEventBus-test"}
    for key, value in function_environment("RedeemClaimFunction", refs).items():
        if not key.startswith("POWERTOOLS_"):
            monkeypatch.setenv(key, value)
    aws.secretsmanager.put_secret_value(
        SecretId=aws.secrets["ShopWebhookSecret"], SecretString=json.dumps({"secret": SHOP_SECRET})
    )
    from redeem_claim import handler

    from goodword.settings import redemption_settings

    redemption_settings.cache_clear()
    handler.reset()
    clients.use_budget(clients.RECEIVER)  # as the handler does first, so tests patch the clients it uses
    yield handler
    handler.reset()
    redemption_settings.cache_clear()


def claim(aws: Aws, number: int, to: ClaimState | None = ClaimState.FULFILLED) -> str:
    """An offer sent a day ago, claimed, and moved on to ``to``."""
    record = offer(number, WorkState.SENT, timedelta(days=1))
    store(aws, record)
    claims = claims_table(aws)
    assert claims.create(claim_for(record, NOW), NOW)
    if to is not None and to is not ClaimState.CLAIMED:
        assert claims.move(record.id, ClaimState.CLAIMED, to, NOW)
    return record.id


def post(redemption: Any, context: Any, claim_id: str, *, secret: str = SHOP_SECRET, signed: bool = True) -> tuple[int, Any]:
    body = json.dumps({"type": "claim.redeemed", "data": {"claim_id": claim_id}}).encode()
    headers = signed_headers("standard", body, {}, secret=secret, message_id=f"redeem-{claim_id[:6]}") if signed else {}
    event = http_api_event("shop", body, headers=headers)
    event.update(
        routeKey="POST /claims/{claim_id}/redeemed",
        rawPath=f"/claims/{claim_id}/redeemed",
        pathParameters={"claim_id": claim_id},
    )
    answer = redemption.lambda_handler(event, context)
    return answer["statusCode"], json.loads(answer["body"])


def states(aws: Aws, claim_id: str) -> tuple[ClaimState | None, str | None]:
    found = claims_table(aws).get(claim_id)
    offer_record = StateTable(aws.tables["StateTable"]).get_work(f"OFFER#{claim_id}")
    return (found.state if found else None), (offer_record.claim_state if offer_record else None)


def test_the_shop_redeems_a_fulfilled_claim_once(
    aws: Aws, redemption: Any, lambda_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    claim_id = claim(aws, 1)
    with mock.patch.object(clients.events(), "put_events", wraps=clients.events().put_events) as put_events:
        assert post(redemption, lambda_context, claim_id) == (
            200,
            {"claim_id": claim_id, "state": "redeemed", "already_redeemed": False},
        )
        assert post(redemption, lambda_context, claim_id)[1]["already_redeemed"] is True
    assert states(aws, claim_id) == (ClaimState.REDEEMED, "redeemed")
    stored = claims_table(aws).get(claim_id)
    assert stored is not None and stored.redeemed_at is not None and stored.claimant == FAN, "nothing else changed"
    entries = [c.kwargs["Entries"][0] for c in put_events.call_args_list]
    assert [e["DetailType"] for e in entries] == ["Offer claim", "Offer claim"]
    details = [json.loads(e["Detail"]) for e in entries]
    assert {d["id"] for d in details} == {f"{claim_id}:redeemed"}
    assert all(set(d) == {"id", "kind", "offer_id", "claim_id", "rule_id", "state", "at"} for d in details)
    logs = logged(caplog)
    assert "redemption recorded" in logs and claim_id in logs
    assert FAN.name not in logs and FAN.email not in logs and "Bean St" not in logs


def test_attacks_and_mistakes_move_nothing(aws: Aws, redemption: Any, lambda_context: Any) -> None:
    fulfilled, held = claim(aws, 1), claim(aws, 2, ClaimState.HELD)
    other = "whsec_YW5vdGhlci1zZWNyZXQtbm90LXRoZS1zaG9wcy0xMjM="
    assert post(redemption, lambda_context, fulfilled, signed=False)[0] == 401
    assert post(redemption, lambda_context, fulfilled, secret=other) == (
        401,
        {"error": "invalid_signature", "message": "no v1 signature in webhook-signature matches"},
    )
    assert post(redemption, lambda_context, work_id("nope", "x", 0)) == (
        404,
        {"error": "unknown_claim", "message": "no such claim"},
    )
    status, body = post(redemption, lambda_context, held)
    assert (status, body["error"]) == (409, "not_redeemable") and "the claim is held, not fulfilled" in body["message"]
    assert states(aws, fulfilled) == (ClaimState.FULFILLED, "fulfilled")
    assert states(aws, held) == (ClaimState.HELD, "held")


def test_without_the_shops_secret_the_endpoint_answers_503(aws: Aws, redemption: Any, lambda_context: Any) -> None:
    aws.secretsmanager.put_secret_value(SecretId=aws.secrets["ShopWebhookSecret"], SecretString="{}")
    redemption.reset()
    claim_id = claim(aws, 1)
    assert post(redemption, lambda_context, claim_id)[0] == 503
    assert states(aws, claim_id) == (ClaimState.FULFILLED, "fulfilled")
