"""The real template on the local stack: the expiry schedule is wired from the template (the
local stack fires it on a timer), and the shop's redemption route answers over HTTP, signed
with the development shop secret: unsigned 401, an unknown claim 404, a fulfilled one redeemed."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import pytest

from dev_support.paths import ROOT
from goodword.signing import signed_headers
from goodword.work import work_id
from tests.e2e.conftest import RunningStack

pytestmark = pytest.mark.e2e
SHOP_SECRET = json.loads((ROOT / "tests/e2e/stack/local-e2e.json").read_text())["secrets"]["ShopWebhookSecret"]["secret"]


def redeem(stack: RunningStack, claim_id: str, signed: bool = True) -> tuple[int, Any]:
    body = json.dumps({"type": "claim.redeemed", "data": {"claim_id": claim_id}}).encode()
    headers = {"content-type": "application/json"}
    if signed:
        headers |= signed_headers("standard", body, {}, secret=SHOP_SECRET, message_id=f"e2e-{claim_id[:8]}")
    request = urllib.request.Request(f"{stack.base_url}/claims/{claim_id}/redeemed", data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_the_expiry_schedule_and_the_redemption_route_come_from_the_template(goodword_stack: RunningStack) -> None:
    status = goodword_stack.status
    assert "ExpireOffersSchedule" in status["event_sources"]
    assert any(r.startswith("POST /claims/{claim_id}/redeemed -> RedeemClaimFunction") for r in status["routes"])


def test_the_shop_redeems_over_http(goodword_stack: RunningStack) -> None:
    unknown = work_id("e2e-nobody", "rule", 0)
    assert redeem(goodword_stack, unknown, signed=False)[0] == 401
    assert redeem(goodword_stack, unknown) == (404, {"error": "unknown_claim", "message": "no such claim"})

    # an offer sent and claimed, its sample fulfilled: as the stack's own functions write them
    claim_id, now = work_id("e2e-redeem", "rule", 0), datetime.now(UTC).isoformat()
    dynamodb = goodword_stack.client("dynamodb")
    offer = {
        "pk": {"S": f"OFFER#{claim_id}"},
        "sk": {"S": "WORK"},
        "id": {"S": claim_id},
        "kind": {"S": "offer_sample"},
        "state": {"S": "sent"},
        "claim_state": {"S": "fulfilled"},
        "rule_id": {"S": "e2e-rule"},
        **{k: {"S": "x"} for k in ("event_id", "event_kind", "platform", "brand_account", "person", "idempotency_key")},
        "event_time": {"S": now},
        "created_at": {"S": now},
        "rule_version": {"N": "1"},
    }
    dynamodb.put_item(TableName=goodword_stack.physical("StateTable"), Item=offer)
    claim = {
        "pk": {"S": f"CLAIM#{claim_id}"},
        "sk": {"S": "CLAIM"},
        "id": {"S": claim_id},
        "offer_key": {"S": f"OFFER#{claim_id}"},
        "rule_id": {"S": "e2e-rule"},
        "rule_version": {"N": "1"},
        "person": {"S": "x"},
        "platform": {"S": "x"},
        "state": {"S": "fulfilled"},
        "created_at": {"S": now},
        "updated_at": {"S": now},
        "gsi1pk": {"S": "CLAIMS#fulfilled"},
        "gsi1sk": {"S": f"{now}#{claim_id}"},
    }
    dynamodb.put_item(TableName=goodword_stack.physical("ClaimsTable"), Item=claim)

    assert redeem(goodword_stack, claim_id) == (200, {"claim_id": claim_id, "state": "redeemed", "already_redeemed": False})
    assert redeem(goodword_stack, claim_id)[1]["already_redeemed"] is True
    stored = dynamodb.get_item(TableName=goodword_stack.physical("ClaimsTable"), Key={"pk": claim["pk"], "sk": claim["sk"]})
    assert stored["Item"]["state"]["S"] == "redeemed"
