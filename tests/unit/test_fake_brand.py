"""The local stack's fake brand (local_stack/fake_platforms.FakeBrand): the fulfilment URL that
`make demo`'s flagship rule points at locally. It verifies each signed ``offer.claimed`` as the
brand's receiver would, keeps ids only, and refuses a request it cannot verify, so a claim
fulfilled against it proves the request was signed with the notify secret."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from goodword.claims.states import ClaimState
from local_stack.dev_config import serve_fulfilment_locally
from local_stack.fake_platforms import BRAND_CLAIMS_PATH, FakeBrand, Received
from tests.contract.test_claim_store import FAN
from tests.unit.test_fulfilment import NOW, SIGN, World

URL = f"http://127.0.0.1:9/{BRAND_CLAIMS_PATH.strip('/')}"


def test_a_claim_notified_to_the_fake_brand_is_verified_recorded_by_id_and_fulfilled() -> None:
    brand = FakeBrand(secret=SIGN["secret"], clock=lambda: NOW)
    world = World(notify=brand)
    claim = world.claimed({"kind": "notify", "url": URL})
    assert world.fulfil(claim).state is ClaimState.FULFILLED
    assert brand.received == [Received(f"claim_{claim.id}", "offer.claimed", claim.id, verified=True, has_claimant=True)]
    assert brand.wait_for(claim.id, timeout=0) == brand.received[0]
    kept = str([dataclasses.astuple(r) for r in brand.received])
    assert FAN.name not in kept and FAN.email not in kept, "the fake keeps ids, never the claimant"


def test_a_request_signed_with_another_secret_or_too_late_is_refused_401_and_the_claim_fails() -> None:
    for brand in (
        FakeBrand(secret="whsec_" + "b3RoZXItc2VjcmV0LW5vdC10aGUtbm90aWZ5LW9uZQ==", clock=lambda: NOW),
        FakeBrand(secret=SIGN["secret"], clock=lambda: NOW.replace(hour=13)),  # an hour after it was signed
        FakeBrand(secret=None),  # the stack has no notify secret: nothing can verify
    ):
        world = World(notify=brand)
        claim = world.claimed({"kind": "notify", "url": URL})
        outcome = world.fulfil(claim)
        assert (outcome.state, world.claim(claim.id).reason) == (ClaimState.FAILED, "the fulfilment URL answered 401")
        assert [r.verified for r in brand.received] == [False]


def test_waiting_for_a_claim_ends_when_it_arrives_or_at_the_deadline() -> None:
    brand = FakeBrand(secret=SIGN["secret"], clock=lambda: NOW)
    world = World(notify=brand)
    claim = world.claimed({"kind": "notify", "url": URL})
    assert brand.wait_for(claim.id, timeout=0.01) is None
    threading.Thread(target=world.fulfil, args=(claim,)).start()
    found = brand.wait_for(claim.id, timeout=30)
    assert found is not None and found.verified


def test_only_the_listed_notify_urls_are_served_by_the_local_fake() -> None:
    shop = "https://roaster.example/goodword/claims"
    rule: dict[str, Any] = {
        "actions": [
            {"offer_sample": {"product": "a", "message": "{claim_link}", "fulfilment": {"kind": "notify", "url": shop}}},
            {"offer_sample": {"product": "b", "message": "{claim_link}", "fulfilment": {"url": "https://other.example/"}}},
            {"offer_sample": {"product": "c", "message": "{claim_link}", "fulfilment": {"kind": "code_pool"}}},
            {"tag": {"label": "sampled"}},
        ]
    }
    assert serve_fulfilment_locally(rule, {shop}, URL) == 1
    assert [a.get("offer_sample", {}).get("fulfilment") for a in rule["actions"]] == [
        {"kind": "notify", "url": URL},
        {"url": "https://other.example/"},
        {"kind": "code_pool"},
        None,
    ]
