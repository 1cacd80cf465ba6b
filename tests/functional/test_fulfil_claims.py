"""FulfilClaimsFunction on moto, wired as the template wires it: FulfilmentQueue messages
({"claim_id"}) in, claims in ClaimsTable (KMS-encrypted claimants) fulfilled by a signed
request to the brand, a code from the pool, or a Shopify code from the local fake; partial
batch failures and backoff; the pool race on both adapters; and the role allowing exactly
the calls the code makes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dev_support.lambda_events import sqs_record
from dev_support.platforms import CLAIM_HASH_KEY, CREDENTIALS
from dev_support.template import function_environment
from goodword.aws import clients
from goodword.aws.fulfilment_queue import FulfilmentQueue
from goodword.claims.fulfilment.fulfil import Fulfiller
from goodword.claims.fulfilment.shopify import discount_code
from goodword.claims.records import ClaimRecord, FulfilmentKind
from goodword.claims.states import ClaimState
from goodword.memory.messaging import CollectingBus
from local_stack.fake_platforms import FakePlatforms, ReadsHandler
from tests.conftest import Aws
from tests.contract.test_claim_store import FAN, Setup, claim_for, dynamodb_setup, memory_setup
from tests.functional.test_iam import check, names, recording

__all__ = ["names"]  # a fixture used here

NOW = datetime.now(UTC)


@pytest.fixture
def fulfil(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The function's handler with its environment exactly as the template sets it."""
    from fulfil_claims import handler

    from goodword.settings import fulfilment_settings

    refs = {**aws.tables, **aws.secrets, **aws.queues, **aws.keys, "GoodwordEventBus": "GoodwordEventBus-test"}
    for key, value in function_environment("FulfilClaimsFunction", refs).items():
        if not key.startswith("POWERTOOLS_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("NOTIFY_ALLOW_PRIVATE_NETWORKS", "true")  # the brand's endpoint is a loopback server here
    fulfilment_settings.cache_clear()
    handler.reset()
    clients.use_budget(clients.WORKER)
    yield handler
    handler.reset()
    fulfilment_settings.cache_clear()


@pytest.fixture
def shop(aws: Aws) -> Iterator[FakePlatforms]:
    """The fake platforms' server (as the local stack runs it), its Shopify store empty, and
    PlatformCredentials pointing Shopify at it with a token for the shop."""
    ReadsHandler.shopify.codes.clear()
    ReadsHandler.shopify.requests.clear()
    platforms = FakePlatforms().start()
    credentials = {
        **CREDENTIALS,
        "shopify": {"roaster.myshopify.com": {"access_token": "shpat_local"}},
        "api_base_urls": {"shopify": platforms.base_urls["shopify"]},
    }
    aws.secretsmanager.put_secret_value(SecretId=aws.secrets["PlatformCredentials"], SecretString=json.dumps(credentials))
    yield platforms
    platforms.stop()


def claimed(setup: Setup, fulfilment: dict[str, Any], number: int = 1) -> ClaimRecord:
    offer = setup.offer(number, fulfilment=fulfilment)
    claim = claim_for(offer, fulfilment=FulfilmentKind(fulfilment.get("kind", "notify")))
    assert setup.store.create(claim, NOW)
    return claim


def queued(aws: Aws, *claims: ClaimRecord) -> list[dict[str, Any]]:
    """The claims sent to FulfilmentQueue (as the claim page does), received as Lambda gets them."""
    queue = FulfilmentQueue(aws.queues["FulfilmentQueue"])
    for claim in claims:
        queue.send_claim(claim.id)
    received: list[dict[str, Any]] = []
    while len(received) < len(claims):
        batch = aws.sqs.receive_message(QueueUrl=aws.queues["FulfilmentQueue"], MaxNumberOfMessages=10, AttributeNames=["All"])
        received += batch.get("Messages", [])
    return [sqs_record(m) for m in received]


def brand_inbox(server: HTTPServer, statuses: list[int]) -> list[Request]:
    seen: list[Request] = []
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        with lock:
            seen.append(request)
            status = statuses[min(len(seen), len(statuses)) - 1]
        return Response("{}", status=status, content_type="application/json")

    server.expect_request("/claims", method="POST").respond_with_handler(handler)
    return seen


def stored(setup: Setup, claim: ClaimRecord) -> ClaimRecord:
    found = setup.store.get(claim.id)
    assert found is not None
    return found


def test_a_batch_fulfils_a_notify_claim_holds_one_on_an_empty_pool_and_retries_one_alone(
    request: pytest.FixtureRequest,
    aws: Aws,
    fulfil: Any,
    lambda_context: Any,
    httpserver: HTTPServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup = dynamodb_setup(request)
    brand = brand_inbox(httpserver, [200])
    notify = claimed(setup, {"kind": "notify", "url": httpserver.url_for("/claims")}, 1)
    pooled = claimed(setup, {"kind": "code_pool"}, 2)
    busy = claimed(setup, {"kind": "notify", "url": httpserver.url_for("/busy")}, 3)
    httpserver.expect_request("/busy", method="POST").respond_with_data("busy", status=503)
    records = queued(aws, notify, pooled, busy)
    capsys.readouterr()
    with mock.patch.object(clients.events(), "put_events", wraps=clients.events().put_events) as put_events:
        answer = fulfil.lambda_handler({"Records": records}, lambda_context)
    # the moves on the bus: one detail type for every claim move, as the page, expiry and redemption publish them
    entries = [entry for call in put_events.call_args_list for entry in call.kwargs["Entries"]]
    assert {(e["Source"], e["DetailType"]) for e in entries} == {("goodword", "Offer claim")}
    assert sorted(json.loads(e["Detail"])["state"] for e in entries) == ["fulfilled", "held"]
    (failure,) = answer["batchItemFailures"]
    assert failure["itemIdentifier"] == next(r["messageId"] for r in records if json.loads(r["body"])["claim_id"] == busy.id)
    assert [stored(setup, c).state for c in (notify, pooled, busy)] == [ClaimState.FULFILLED, ClaimState.HELD, ClaimState.CLAIMED]
    assert stored(setup, pooled).held_because == "code_pool_empty"
    (delivered,) = brand
    assert json.loads(delivered.data)["data"]["claimant"]["email"] == FAN.email  # the brand's own URL gets the claim
    assert {"webhook-id", "webhook-signature", "webhook-timestamp"} <= {k.lower() for k in dict(delivered.headers)}
    logged = capsys.readouterr().out
    metrics = [json.loads(line) for line in logged.splitlines() if '"_aws"' in line]
    assert metrics and metrics[-1]["CodePoolEmpty"] == [1.0] and metrics[-1]["ClaimsFulfilled"] == [1.0]
    for personal in (FAN.name, FAN.email, FAN.address_line1, FAN.postal_code):
        assert personal and personal not in logged


@pytest.mark.parametrize("adapter", ["memory", "dynamodb"])
def test_fifty_claims_racing_for_a_pool_of_ten_get_ten_distinct_codes_and_forty_are_held(
    adapter: str, request: pytest.FixtureRequest
) -> None:
    setup = memory_setup() if adapter == "memory" else dynamodb_setup(request)
    setup.store.add_codes("flagship", [f"BAG-{n:02d}" for n in range(10)])
    claims = [claimed(setup, {"kind": "code_pool"}, n) for n in range(50)]
    bus = CollectingBus()
    fulfiller = Fulfiller(
        setup.store,
        setup.state,
        bus,
        dict,
        CLAIM_HASH_KEY["key"].encode,
        notify_http=lambda _: pytest.fail("no notify here"),
        shopify_http=lambda _: pytest.fail("no shopify here"),
        clock=lambda: NOW,
        max_receives=5,
    )
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(lambda c: fulfiller.fulfil(c.id), claims))
    after = [stored(setup, c) for c in claims]
    codes = [str(c.reward_code) for c in after if c.state is ClaimState.FULFILLED]
    assert sorted(codes) == [f"BAG-{n:02d}" for n in range(10)]  # ten distinct codes, each once
    held = [c for c in after if c.state is ClaimState.HELD]
    assert len(held) == 40 and {c.held_because for c in held} == {"code_pool_empty"}
    assert sum(o.pool_empty for o in outcomes) == 40 and setup.store.codes_left("flagship") == 0
    assert sorted(e["state"] for e in bus.published) == ["fulfilled"] * 10 + ["held"] * 40


def test_shopify_through_the_function_creates_one_code_even_when_the_message_comes_twice(
    request: pytest.FixtureRequest, aws: Aws, fulfil: Any, lambda_context: Any, shop: FakePlatforms
) -> None:
    setup = dynamodb_setup(request)
    claim = claimed(setup, {"kind": "shopify", "shop": "roaster.myshopify.com", "percentage": 100})
    (record,) = queued(aws, claim)
    assert fulfil.lambda_handler({"Records": [record]}, lambda_context) == {"batchItemFailures": []}
    assert fulfil.lambda_handler({"Records": [record]}, lambda_context) == {"batchItemFailures": []}  # a duplicate delivery
    code = discount_code(CLAIM_HASH_KEY["key"].encode(), claim.id)
    assert stored(setup, claim).reward_code == code
    assert list(ReadsHandler.shopify.codes["roaster.myshopify.com"]) == [code]
    (sent,) = ReadsHandler.shopify.requests  # the claim was fulfilled: the duplicate called nobody
    assert sent["variables"]["basicCodeDiscount"]["usageLimit"] == 1


def test_the_functions_role_allows_exactly_its_calls(
    request: pytest.FixtureRequest,
    aws: Aws,
    fulfil: Any,
    lambda_context: Any,
    httpserver: HTTPServer,
    shop: FakePlatforms,
    names: dict[str, str],
) -> None:
    setup = dynamodb_setup(request)
    brand_inbox(httpserver, [503, 200])
    notify = claimed(setup, {"kind": "notify", "url": httpserver.url_for("/claims")}, 1)
    setup.store.add_codes("flagship", ["BAG-1"])
    pooled = claimed(setup, {"kind": "code_pool"}, 2)
    empty = claimed(setup, {"kind": "code_pool"}, 3)
    shopify = claimed(setup, {"kind": "shopify", "shop": "roaster.myshopify.com", "amount": 5}, 4)
    records = queued(aws, notify, pooled, empty, shopify)
    with recording(names, clients.WORKER) as recorder:
        first = fulfil.lambda_handler({"Records": records}, lambda_context)  # notify: 503, retried later
        assert len(first["batchItemFailures"]) == 1
        retried = [r for r in records if json.loads(r["body"])["claim_id"] == notify.id]
        assert fulfil.lambda_handler({"Records": retried}, lambda_context) == {"batchItemFailures": []}
    assert [stored(setup, c).state for c in (notify, pooled, empty, shopify)] == [
        ClaimState.FULFILLED,
        ClaimState.FULFILLED,
        ClaimState.HELD,
        ClaimState.FULFILLED,
    ]
    check("FulfilClaimsFunction", recorder)
