"""Redemption as the shop sees it: a fulfilled claim, redeemed once by a request signed with the
shop's secret (again: the same 200); every attack or mistake answered without a move: unsigned,
forged, stale, replayed against another claim, unknown, not yet fulfilled. The bus hears ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from goodword.claims.records import Claimant, ClaimRecord
from goodword.claims.redemption import Redemption, redeem
from goodword.claims.states import ClaimState
from goodword.limits import RecordWork
from goodword.memory.claims import InMemoryClaims
from goodword.memory.messaging import CollectingBus
from goodword.memory.state import InMemoryState
from goodword.signing import signed_headers
from goodword.webhooks.request import WebhookRequest
from goodword.webhooks.secrets import StandardSecrets
from goodword.work import WorkKind, WorkRecord, WorkState, work_id

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
SHOP_SECRET = "whsec_c2hvcC1zZWNyZXQtZm9yLXRlc3RzLW9ubHktMTIzNA=="
OTHER_SECRET = "whsec_YW5vdGhlci1zZWNyZXQtbm90LXRoZS1zaG9wcy0xMjM="
FAN = Claimant(name="Ana Fan", email="ana@example.com", address_line1="1 Bean St", city="Lyon", country="FR")


class Shop:
    def __init__(self) -> None:
        self.state, self.bus = InMemoryState(), CollectingBus()
        self.claims = InMemoryClaims(self.state)
        self.secrets: StandardSecrets | None = StandardSecrets(secret=SHOP_SECRET)

    def offer(self, n: int, claim: ClaimState | None = None) -> str:
        identifier = work_id(f"e{n}", "sample", 0)
        record = WorkRecord(
            id=identifier,
            kind=WorkKind.OFFER_SAMPLE,
            state=WorkState.SENT,
            event_id=f"e{n}",
            event_kind="mention",
            event_time=NOW.isoformat(),
            rule_id="sample",
            rule_version=1,
            person=f"PERSON#x#brand#p{n}",
            platform="x",
            brand_account="brand",
            created_at=NOW.isoformat(),
            idempotency_key=identifier,
            claim_code=f"code-{n}",
            finished_at=NOW.isoformat(),
        )
        assert self.state.claim([RecordWork(record)]).ok
        if claim is not None:
            new = ClaimRecord(
                id=identifier,
                offer_key=record.key,
                rule_id="sample",
                rule_version=1,
                person=record.person,
                platform="x",
                state=ClaimState.CLAIMED,
                created_at=NOW.isoformat(),
                updated_at=NOW.isoformat(),
                claimant=FAN,
            )
            assert self.claims.create(new, NOW)
            if claim is not ClaimState.CLAIMED:
                assert self.claims.move(identifier, ClaimState.CLAIMED, claim, NOW)
        return identifier

    def post(
        self, path_id: str, body_id: str | None = None, *, secret: str = SHOP_SECRET, signed: bool = True, at: datetime = NOW
    ) -> Redemption:
        body = json.dumps({"type": "claim.redeemed", "data": {"claim_id": body_id or path_id}}).encode()
        headers = signed_headers("standard", body, {}, now=at, message_id="msg-7", secret=secret) if signed else {}
        request = WebhookRequest("POST", "shop", {k.lower(): v for k, v in headers.items()}, {}, body, NOW)
        return redeem(request, path_id, lambda: self.secrets, self.state, self.claims, self.bus, NOW)

    def claim_state(self, claim_id: str) -> ClaimState | None:
        found = self.claims.get(claim_id)
        return found.state if found else None


def answer(result: Redemption) -> tuple[int, dict[str, Any]]:
    return result.response.status, json.loads(result.response.body)


def test_a_signed_request_redeems_a_fulfilled_claim_once_and_a_repeat_gets_the_same_answer() -> None:
    shop = Shop()
    claim_id = shop.offer(1, ClaimState.FULFILLED)
    first = shop.post(claim_id)
    assert answer(first) == (200, {"claim_id": claim_id, "state": "redeemed", "already_redeemed": False})
    assert first.outcome == "redeemed"
    stored = shop.claims.get(claim_id)
    assert stored is not None and stored.state is ClaimState.REDEEMED and stored.redeemed_at == NOW.isoformat()
    offer = shop.state.get_work(f"OFFER#{claim_id}")
    assert offer is not None and offer.claim_state == "redeemed"

    again = shop.post(claim_id)
    assert answer(again) == (200, {"claim_id": claim_id, "state": "redeemed", "already_redeemed": True})
    assert [e["id"] for e in shop.bus.published] == [f"{claim_id}:redeemed"] * 2, "the same id: a consumer dedupes"
    for detail in shop.bus.published:
        assert set(detail) == {"id", "kind", "offer_id", "claim_id", "rule_id", "state", "at"}
        assert FAN.name not in json.dumps(detail) and FAN.email not in json.dumps(detail)


@pytest.mark.parametrize(
    ("how", "code"),
    [
        ({"signed": False}, "missing_signature"),
        ({"secret": OTHER_SECRET}, "invalid_signature"),
        ({"at": NOW - timedelta(minutes=6)}, "stale_timestamp"),
    ],
)
def test_unsigned_forged_or_stale_requests_are_401_and_move_nothing(how: dict[str, Any], code: str) -> None:
    shop = Shop()
    claim_id = shop.offer(1, ClaimState.FULFILLED)
    result = shop.post(claim_id, **how)
    assert answer(result)[0] == 401 and answer(result)[1]["error"] == code
    assert result.claim_id is None, "nothing about the claim is logged for a caller without the secret"
    assert shop.claim_state(claim_id) is ClaimState.FULFILLED and shop.bus.published == []


def test_an_unknown_claim_is_404_after_the_signature_and_a_forged_one_learns_nothing() -> None:
    shop = Shop()
    missing = work_id("nope", "sample", 0)
    assert answer(shop.post(missing)) == (404, {"error": "unknown_claim", "message": "no such claim"})
    assert answer(shop.post("../../etc"))[0] == 404
    unclaimed = shop.offer(2)  # an offer nobody claimed has no claim
    assert answer(shop.post(unclaimed))[0] == 404
    assert answer(shop.post(missing, secret=OTHER_SECRET))[0] == 401, "unknown or not: the same 401 without the secret"


@pytest.mark.parametrize("state", [ClaimState.CLAIMED, ClaimState.HELD, ClaimState.FAILED])
def test_a_claim_not_fulfilled_yet_is_409_with_its_state(state: ClaimState) -> None:
    shop = Shop()
    claim_id = shop.offer(1, state)
    status, body = answer(shop.post(claim_id))
    assert (status, body["error"]) == (409, "not_redeemable")
    assert f"the claim is {state.value}, not fulfilled" in body["message"]
    assert shop.claim_state(claim_id) is state and shop.bus.published == []


def test_a_signed_body_cannot_be_replayed_against_another_claim() -> None:
    shop = Shop()
    redeemed, other = shop.offer(1, ClaimState.FULFILLED), shop.offer(2, ClaimState.FULFILLED)
    status, body = answer(shop.post(other, body_id=redeemed))  # the body (signed) names the first claim
    assert (status, body["message"]) == (400, "the body names another claim than the path")
    assert shop.claim_state(other) is ClaimState.FULFILLED


def test_a_wrong_body_a_huge_body_and_a_missing_secret() -> None:
    shop = Shop()
    claim_id = shop.offer(1, ClaimState.FULFILLED)
    body = json.dumps({"type": "order.paid", "data": {"claim_id": claim_id}}).encode()
    headers = signed_headers("standard", body, {}, now=NOW, secret=SHOP_SECRET)
    wrong = redeem(
        WebhookRequest("POST", "shop", headers, {}, body, NOW),
        claim_id,
        lambda: shop.secrets,
        shop.state,
        shop.claims,
        shop.bus,
        NOW,
    )
    assert answer(wrong)[0] == 400 and "claim.redeemed" in answer(wrong)[1]["message"]
    huge = WebhookRequest("POST", "shop", {}, {}, b"x" * 20_000, NOW)
    assert answer(redeem(huge, claim_id, lambda: shop.secrets, shop.state, shop.claims, shop.bus, NOW))[0] == 413
    shop.secrets = None
    assert answer(shop.post(claim_id)) == (
        503,
        {"error": "platform_not_configured", "message": "no shop secret is configured (ShopWebhookSecret; docs/operations.md)"},
    )
    assert shop.claim_state(claim_id) is ClaimState.FULFILLED


def test_a_bus_that_fails_gets_the_shops_retry_which_publishes() -> None:
    shop = Shop()
    claim_id = shop.offer(1, ClaimState.FULFILLED)
    working = shop.bus

    class Down:
        def publish(self, detail: dict[str, Any]) -> None:
            raise RuntimeError("EventBridge is down")

    shop.bus = Down()  # type: ignore[assignment]
    assert answer(shop.post(claim_id))[0] == 503
    assert shop.claim_state(claim_id) is ClaimState.REDEEMED, "the move itself stands"
    shop.bus = working
    assert answer(shop.post(claim_id))[0] == 200
    assert [e["state"] for e in working.published] == ["redeemed"]
