"""Fulfilment on the in-memory adapters: a claimed offer is fulfilled by a signed request to
the brand (notify), a code from the rule's pool, or a Shopify discount code; every move is
checked, recorded on the claim and published with ids only. The same logic runs on DynamoDB
and KMS in tests/functional/test_fulfil_claims.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from dev_support.paths import FIXTURES
from goodword.claims.fulfilment.fulfil import Fulfiller, Outcome
from goodword.claims.fulfilment.shopify import discount_code
from goodword.claims.records import ClaimRecord, FulfilmentKind
from goodword.claims.states import ClaimState
from goodword.memory.claims import InMemoryClaims
from goodword.memory.messaging import CollectingBus
from goodword.memory.state import InMemoryState
from goodword.outbound.platform_requests import HttpRequest
from goodword.outbound.transport import HttpResponse, TransportError, send_to_public_address
from goodword.webhooks.request import WebhookRequest
from goodword.webhooks.secrets import StandardSecrets
from goodword.webhooks.standard import StandardAdapter
from local_stack.fake_platforms import FakeShopify
from tests.contract.test_claim_store import FAN, Setup, claim_for

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
VECTORS = json.loads((FIXTURES / "standard_webhooks" / "vectors.json").read_text())["vectors"]
(SIGN,) = [v for v in VECTORS if v["kind"] == "sign"]
CODE_KEY = b"test-claim-hash-key-0123456789abcdef0123456789abcdef"
SHOP = {"kind": "shopify", "shop": "roaster.myshopify.com", "percentage": 100, "title": "A thank-you bag"}
Http = Callable[[HttpRequest], HttpResponse]


def answering(*answers: int | Exception) -> tuple[list[HttpRequest], Http]:
    sent: list[HttpRequest] = []
    left = list(answers)

    def http(request: HttpRequest) -> HttpResponse:
        sent.append(request)
        answer = left.pop(0) if len(left) > 1 else left[0]
        if isinstance(answer, Exception):
            raise answer
        return HttpResponse(answer, {}, b"{}")

    return sent, http


class World:
    """Claims in memory, a bus, and the outbound calls a test decides the answers of."""

    def __init__(self, notify: Http | None = None, shopify: Http | None = None, credentials: dict[str, Any] | None = None):
        self.state = InMemoryState()
        self.claims = InMemoryClaims(self.state)
        self.setup = Setup(self.claims, self.state)
        self.bus = CollectingBus()
        self.credentials = credentials or {
            "notify": {"secret": SIGN["secret"]},
            "shopify": {"roaster.myshopify.com": {"access_token": "shpat_local"}},
        }
        self.fulfiller = Fulfiller(
            self.claims,
            self.state,
            self.bus,
            lambda: self.credentials,
            lambda: CODE_KEY,
            notify or answering(200)[1],
            shopify or FakeShopify(),
            lambda: NOW,
            max_receives=5,
        )

    def claimed(self, fulfilment: dict[str, Any] | None, number: int = 1, **claim: Any) -> ClaimRecord:
        offer = self.setup.offer(number, fulfilment=fulfilment) if fulfilment is not None else self.setup.offer(number)
        made = claim_for(offer, fulfilment=FulfilmentKind((fulfilment or {}).get("kind", "notify")), **claim)
        assert self.claims.create(made, NOW)
        return made

    def claim(self, claim_id: str) -> ClaimRecord:
        found = self.claims.get(claim_id)
        assert found is not None
        return found

    def fulfil(self, claim: ClaimRecord, receive_count: int = 1) -> Outcome:
        return self.fulfiller.fulfil(claim.id, receive_count)


def reference_signature(secret: str, msg_id: str, timestamp: str, body: bytes) -> str:
    """The Standard Webhooks signature as the vector file spells out its algorithm, written
    apart from goodword.signing: strip whsec_, base64-decode the key, HMAC id.timestamp.body."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


# --- notify ----------------------------------------------------------------------------------


def test_the_reference_signature_matches_the_published_vector() -> None:
    signed = reference_signature(SIGN["secret"], SIGN["webhook-id"], SIGN["webhook-timestamp"], SIGN["body"].encode())
    assert signed == SIGN["expected_webhook-signature"]


def test_notify_posts_a_signed_offer_claimed_the_brand_can_verify_and_the_claim_is_fulfilled() -> None:
    sent, http = answering(200)
    world = World(notify=http)
    claim = world.claimed({"kind": "notify", "url": "https://shop.example/goodword/claims"})
    outcome = world.fulfil(claim)
    assert (outcome.done, outcome.state) == (True, ClaimState.FULFILLED)
    (request,) = sent
    assert (request.method, request.url) == ("POST", "https://shop.example/goodword/claims")
    headers = request.headers
    assert headers["webhook-signature"] == reference_signature(
        SIGN["secret"], headers["webhook-id"], headers["webhook-timestamp"], request.body
    )
    verified = WebhookRequest("POST", "standard", headers, {}, request.body, NOW)
    StandardAdapter().verify(verified, StandardSecrets(secret=SIGN["secret"]), NOW)  # as a Standard Webhooks library does
    body = json.loads(request.body)
    assert (body["type"], body["data"]["claim_id"], body["data"]["product"]) == ("offer.claimed", claim.id, "espresso")
    assert body["data"]["claimant"] == FAN.model_dump(exclude_none=True)  # the brand ships from it
    stored = world.claim(claim.id)
    assert (stored.state, stored.fulfilled_at, stored.fulfilment_attempts) == (ClaimState.FULFILLED, NOW.isoformat(), 1)
    assert world.state.get_work(claim.offer_key).claim_state == "fulfilled"  # type: ignore[union-attr]
    (published,) = world.bus.published
    assert published == {
        "id": f"{claim.id}:fulfilled",
        "kind": "offer_claim",
        "offer_id": claim.id,
        "claim_id": claim.id,
        "rule_id": "flagship",
        "state": "fulfilled",
        "at": NOW.isoformat(),
    }


def test_a_retry_sends_the_same_webhook_id_then_gives_up_with_the_reason_and_a_redrive_tries_again() -> None:
    sent, http = answering(503)
    world = World(notify=http)
    claim = world.claimed({"url": "https://shop.example/claims"})
    for receives in range(1, 5):
        outcome = world.fulfil(claim, receives)
        assert (outcome.done, outcome.state) == (False, None)
        assert world.claim(claim.id).state is ClaimState.CLAIMED
    last = world.fulfil(claim, 5)
    assert (last.done, last.state) == (False, ClaimState.FAILED)  # failed, and on to the dead-letter queue
    failed = world.claim(claim.id)
    assert failed.reason == "gave up after 5 attempts: the fulfilment URL answered 503"
    assert failed.fulfilment_attempts == 5
    assert len({r.headers["webhook-id"] for r in sent}) == 1  # the brand dedupes every attempt on it
    world.fulfiller.notify_http = answering(204)[1]  # the brand's endpoint is back; the message redriven
    assert world.fulfil(claim, 1).state is ClaimState.FULFILLED
    assert world.claim(claim.id).fulfilment_attempts == 6
    assert [e["state"] for e in world.bus.published] == ["failed", "fulfilled"]


def test_no_answer_is_tried_again_since_the_brand_dedupes() -> None:
    world = World(notify=answering(TransportError("TimeoutError", maybe_sent=True))[1])
    claim = world.claimed({"url": "https://shop.example/claims"})
    assert world.fulfil(claim).done is False
    assert world.claim(claim.id).state is ClaimState.CLAIMED


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (400, "the fulfilment URL answered 400"),
        (404, "the fulfilment URL answered 404"),
        (302, "the fulfilment URL answered 302 (a redirect: not followed)"),
    ],
)
def test_a_refusal_from_the_fulfilment_url_fails_the_claim_with_its_status(status: int, reason: str) -> None:
    world = World(notify=answering(status)[1])
    claim = world.claimed({"url": "https://shop.example/claims"})
    assert world.fulfil(claim) == Outcome(True, f"failed: {reason}", ClaimState.FAILED)
    assert world.claim(claim.id).reason == reason


@pytest.mark.parametrize("url", ["https://10.0.0.5/claims", "https://127.0.0.1:8443/claims", "https://[::1]/claims"])
def test_a_private_address_is_refused_and_the_claim_fails_with_a_clear_reason(url: str) -> None:
    world = World(notify=send_to_public_address)  # the deployed transport: public addresses only
    claim = world.claimed({"url": url})
    outcome = world.fulfil(claim)
    assert (outcome.done, outcome.state) == (True, ClaimState.FAILED)
    reason = world.claim(claim.id).reason or ""
    assert reason.startswith("fulfilment URL refused: ") and "which is not a public address" in reason


def test_without_a_url_the_claim_waits_for_a_person_and_without_a_secret_it_fails() -> None:
    world = World()
    waiting = world.claimed(None)  # an offer made before rules had a fulfilment
    assert world.fulfil(waiting) == Outcome(True, "waits for a person: the rule names no fulfilment URL")
    assert world.claim(waiting.id).state is ClaimState.CLAIMED and world.bus.published == []
    world.credentials = {}
    unsigned = world.claimed({"url": "https://shop.example/claims"}, number=2)
    world.fulfil(unsigned)
    assert world.claim(unsigned.id).reason == "PlatformCredentials has no notify.secret to sign the fulfilment request"


def test_a_claim_already_fulfilled_or_held_as_a_repeat_claimer_is_left_alone() -> None:
    sent, http = answering(200)
    world = World(notify=http)
    done = world.claimed({"url": "https://shop.example/claims"})
    world.fulfil(done)
    assert world.fulfil(done) == Outcome(True, "already fulfilled")
    held = world.claimed({"url": "https://shop.example/claims"}, number=2, state=ClaimState.HELD, held_because="repeat_claimer")
    assert world.fulfil(held) == Outcome(True, "already held")
    assert world.fulfiller.fulfil("no-such-claim") == Outcome(True, "no such claim")
    assert len(sent) == 1


def test_no_personal_field_reaches_a_log_line_or_the_bus(capsys: pytest.CaptureFixture[str]) -> None:
    world = World(notify=answering(503)[1])
    claim = world.claimed({"url": "https://shop.example/claims"})
    for receives in range(1, 6):
        world.fulfil(claim, receives)
    world.fulfiller.notify_http = answering(200)[1]
    world.fulfil(claim)
    said = capsys.readouterr().out + json.dumps(world.bus.published)
    for personal in (FAN.name, FAN.email, FAN.address_line1, FAN.postal_code, "Lovelace", "St James"):
        assert personal and personal not in said


# --- code pools --------------------------------------------------------------------------------


def test_a_code_from_the_pool_fulfils_the_claim_an_empty_pool_holds_it_and_codes_added_later_release_it() -> None:
    world = World()
    world.claims.add_codes("flagship", ["BAG-1"])
    first = world.claimed({"kind": "code_pool"})
    assert world.fulfil(first).state is ClaimState.FULFILLED
    assert world.claim(first.id).reward_code == "BAG-1"
    second = world.claimed({"kind": "code_pool"}, number=2)
    outcome = world.fulfil(second)
    assert (outcome.state, outcome.pool_empty) == (ClaimState.HELD, True)
    held = world.claim(second.id)
    assert (held.state, held.held_because, held.reward_code) == (ClaimState.HELD, "code_pool_empty", None)
    assert world.fulfil(second).pool_empty  # still empty: still held, the alarm's metric counts it again
    world.claims.add_codes("flagship", ["BAG-2"])
    assert world.fulfil(second).state is ClaimState.FULFILLED  # `goodword codes upload` sends it back
    assert world.claim(second.id).reward_code == "BAG-2"
    assert [e["state"] for e in world.bus.published] == ["fulfilled", "held", "fulfilled"]


def test_fifty_claims_against_a_pool_of_ten_get_ten_distinct_codes_and_forty_are_held() -> None:
    world = World()
    world.claims.add_codes("flagship", [f"BAG-{n}" for n in range(10)])
    claims = [world.claimed({"kind": "code_pool"}, number=n) for n in range(50)]
    outcomes = [world.fulfil(c) for c in claims]
    codes = [world.claim(c.id).reward_code for c in claims]
    assert sorted(c for c in codes if c) == sorted(f"BAG-{n}" for n in range(10))
    assert sum(o.pool_empty for o in outcomes) == 40
    assert [world.claim(c.id).held_because for c in claims].count("code_pool_empty") == 40


# --- Shopify -----------------------------------------------------------------------------------


def test_shopify_receives_the_documented_mutation_with_usage_limit_one_and_the_claim_gets_the_code() -> None:
    shopify = FakeShopify()
    world = World(shopify=shopify)
    claim = world.claimed(SHOP)
    assert world.fulfil(claim).state is ClaimState.FULFILLED
    (request,) = shopify.requests
    documented = json.loads((FIXTURES / "shopify" / "discount_code_basic_create_request.documented_shape.json").read_text())
    assert request["query"] == documented["query"]
    sent = request["variables"]["basicCodeDiscount"]
    assert set(sent) == set(documented["variables"]["basicCodeDiscount"]) - {"endsAt"}  # the rule gave no valid_days
    assert (sent["usageLimit"], sent["appliesOncePerCustomer"], sent["customerSelection"]) == (1, True, {"all": True})
    assert sent["customerGets"] == {"value": {"percentage": 1.0}, "items": {"all": True}}
    assert (request["shop"], sent["title"]) == ("roaster.myshopify.com", "A thank-you bag")
    code = world.claim(claim.id).reward_code
    assert code == sent["code"] == discount_code(CODE_KEY, claim.id) and code.startswith("GW-") and len(code) == 19


def test_a_retry_after_a_lost_answer_makes_no_second_code() -> None:
    shopify = FakeShopify()

    def lost_then_answered(request: HttpRequest) -> HttpResponse:
        answer = shopify(request)  # Shopify made the discount...
        if len(shopify.requests) == 1:
            raise TransportError("TimeoutError", maybe_sent=True)  # ...and its answer was lost
        return answer  # type: ignore[no-any-return]

    world = World(shopify=lost_then_answered)
    claim = world.claimed(SHOP)
    assert world.fulfil(claim, 1).done is False
    assert world.fulfil(claim, 2).state is ClaimState.FULFILLED  # Shopify: TAKEN, so it exists
    assert len(shopify.requests) == 2 and len(shopify.codes["roaster.myshopify.com"]) == 1
    (made,) = shopify.codes["roaster.myshopify.com"]
    assert world.claim(claim.id).reward_code == made


def test_a_fixed_amount_and_a_validity_are_sent_as_documented() -> None:
    shopify = FakeShopify()
    world = World(shopify=shopify)
    world.fulfil(world.claimed({**SHOP, "percentage": None, "amount": 12.5, "valid_days": 30}))
    sent = shopify.requests[0]["variables"]["basicCodeDiscount"]
    assert sent["customerGets"]["value"] == {"discountAmount": {"amount": 12.5, "appliesOnEachItem": False}}
    assert (sent["startsAt"], sent["endsAt"]) == ("2026-12-04T12:00:00+00:00", "2027-01-03T12:00:00+00:00")


def test_shopify_refusals_fail_the_claim_with_the_reason_and_throttling_is_retried() -> None:
    world = World(credentials={"shopify": {}})
    missing = world.claimed(SHOP)
    world.fulfil(missing)
    assert world.claim(missing.id).reason == "PlatformCredentials has no shopify access_token for roaster.myshopify.com"

    def answer(status: int, fixture: str) -> Http:
        body = (FIXTURES / "shopify" / fixture).read_bytes()
        return lambda _: HttpResponse(status, {}, body)

    world = World(shopify=answer(401, "invalid_access_token.constructed.json"))
    refused = world.claimed(SHOP)
    world.fulfil(refused)
    assert "write_discounts" in (world.claim(refused.id).reason or "")
    world = World(shopify=answer(200, "graphql_throttled.constructed.json"))
    throttled = world.claimed(SHOP)
    assert world.fulfil(throttled).done is False and world.claim(throttled.id).state is ClaimState.CLAIMED


def test_the_code_needs_the_key_not_just_the_claim_id() -> None:
    assert discount_code(CODE_KEY, "c1") == discount_code(CODE_KEY, "c1")
    assert discount_code(CODE_KEY, "c1") != discount_code(b"another-key-of-another-stack-000000000000", "c1")
    assert discount_code(CODE_KEY, "c1") != discount_code(CODE_KEY, "c2")


@pytest.mark.parametrize(
    ("base_url", "allowed"),
    [
        ("https://shopify.example.com/shopify", True),
        ("http://127.0.0.1:8123/shopify", True),
        ("http://attacker.example/shopify", False),
        ("http://127.0.0.1@attacker.example/", False),
        ("http://10.0.0.5/shopify", False),
        ("file:///etc/passwd", False),
    ],
)
def test_the_shopify_token_goes_only_to_https_or_this_machines_loopback(base_url: str, allowed: bool) -> None:
    """api_base_urls.shopify (the local fake's) must not send the access token in clear over a
    network, nor anywhere but https."""
    shopify = FakeShopify()
    credentials = {"shopify": {"roaster.myshopify.com": {"access_token": "shpat_local"}}, "api_base_urls": {"shopify": base_url}}
    world = World(shopify=shopify, credentials=credentials)
    claim = world.claimed(SHOP)
    world.fulfil(claim)
    assert bool(shopify.requests) is allowed
    if not allowed:
        assert world.claim(claim.id).state is ClaimState.FAILED
        assert "api_base_urls.shopify must be https" in (world.claim(claim.id).reason or "")


def test_a_shopify_redirect_is_not_followed_so_the_token_stays_put(httpserver: Any) -> None:
    """The real transport: a 3xx from the shop comes back as the answer; the request with the
    access token is never sent where the redirect points."""
    from goodword.outbound.transport import send_without_redirects

    httpserver.expect_request("/admin").respond_with_data("", status=302, headers={"location": httpserver.url_for("/stolen")})
    httpserver.expect_request("/stolen").respond_with_data("took it")
    answer = send_without_redirects(HttpRequest("POST", httpserver.url_for("/admin"), {"x-shopify-access-token": "shpat"}, b"{}"))
    assert answer.status == 302
    assert [r.path for r, _ in httpserver.log] == ["/admin"]
