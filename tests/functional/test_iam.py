"""Each function's role allows exactly the AWS calls its code makes: every call the handlers make
(recorded while they run their paths against moto) is allowed by the template's policy, and every
action the policy grants is used, or is named below with the reason the code never calls it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from dev_support.lambda_events import sqs_record
from dev_support.platforms import fixture_bytes, http_api_event, load_fixture, signed_headers
from dev_support.template import template
from goodword.aws import clients
from goodword.work import WorkState
from tests.conftest import Aws
from tests.functional.test_claim_page import FAN, cookies_of, form, page, sent_offer
from tests.functional.test_claim_page import event as claim_request
from tests.functional.test_console_sign_in import EDITOR, console, credentials, pool, request, sign_in
from tests.functional.test_enrichment_flow import mention, messages, platform, received
from tests.functional.test_expiry_schedule import NOW, RULE, claim_for, claims_table, expiry, offer, settled_claim, store
from tests.functional.test_perform_actions import actions, live, offer_for_a_fan, perform, x_replies
from tests.functional.test_pipeline import FLAGSHIP, NEGATIVE, POSITIVE, SUPPORT, event, put_rules, run
from tests.functional.test_redemption_endpoint import claim, post, redemption
from tests.functional.test_rule_shapes import TAG_ONLY_NO_LIMITS

__all__ = ["actions", "console", "expiry", "live", "page", "platform", "pool", "redemption"]  # fixtures used here

Grant = tuple[str, str]  # (IAM action, logical id of the resource or "*")

# Granted but not called by the code, and why.
NOT_CALLED_BY_THE_CODE: dict[str, dict[Grant, str]] = {
    "ConsoleApiFunction": {
        ("dynamodb:DeleteItem", "ClaimsTable"): "erasing a person who claimed (tests/functional/test_erase.py runs that path)",
    },
    "ApplyRulesFunction": {
        ("sqs:SendMessage", "ApplyRulesFailureQueue"): "Lambda's stream event source sends failed batches there",
        ("comprehend:BatchDetectDominantLanguage", "*"): "only with sentiment.provider: comprehend",
        ("comprehend:BatchDetectSentiment", "*"): "only with sentiment.provider: comprehend",
        ("bedrock:InvokeModel", "SecondOpinionModelId"): (
            "only with sentiment.second_opinion (tests/unit/test_second_opinion.py, botocore's Stubber)"
        ),
    },
}
# IAM checks a transaction's items and a batch call as their single actions.
_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}
_BATCH = {"SendMessageBatch": "SendMessage", "ChangeMessageVisibilityBatch": "ChangeMessageVisibility"}
_PREFIX = {
    "dynamodb": "dynamodb",
    "sqs": "sqs",
    "secretsmanager": "secretsmanager",
    "events": "events",
    "comprehend": "comprehend",
    "bedrock-runtime": "bedrock",
    "kms": "kms",
    "cognito-idp": "cognito-idp",
}


def granted(function: str) -> set[Grant]:
    grants: set[Grant] = set()
    for policy in template()["Resources"][function]["Properties"]["Policies"]:
        assert set(policy) == {"Statement"}, f"{function}: write policies as explicit statements, not {list(policy)}"
        for entry in policy["Statement"]:
            # a statement granted only with a parameter: its condition, then the statement
            statement = entry["Fn::If"][1] if "Fn::If" in entry else entry
            assert statement["Effect"] == "Allow"
            actions_ = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resource = statement["Resource"]
            logicals = ["*"] if resource == "*" else _logical(resource).split("|")
            grants |= {(action, logical) for action in actions_ for logical in logicals}
    return grants


def _logical(resource: Any) -> str:
    """The resource's logical id; for ARNs built with !Sub, the parameter that names it."""
    if isinstance(resource, list):  # a table and its indexes: each ARN is its own grant
        return "|".join(sorted({_logical(r) for r in resource}))
    if "Fn::Sub" in resource and (index := re.fullmatch(r"\$\{(\w+)\.Arn\}/index/(\w+|\*)", str(resource["Fn::Sub"]))):
        return f"{index.group(1)}/index/{index.group(2)}"
    if "Fn::Sub" in resource:
        return str(resource["Fn::Sub"]).rsplit("${", 1)[1].rstrip("}")
    return str(resource.get("Ref") or resource["Fn::GetAtt"][0])


class Recorder:
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names  # table name, queue url, secret arn, bus name -> logical id
        self.calls: set[Grant] = set()

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        service = _PREFIX[model.service_model.service_name]
        operation = _BATCH.get(model.name, model.name)
        if operation == "TransactWriteItems":
            for item in params["TransactItems"]:
                ((kind, body),) = item.items()
                self.calls.add((f"dynamodb:{_TRANSACT[kind]}", self.names[body["TableName"]]))
            return
        if operation in ("BatchGetItem", "BatchWriteItem"):
            for table in params["RequestItems"]:
                self.calls.add((f"dynamodb:{operation}", self.names[table]))
            return
        resource = next((params[k] for k in ("TableName", "QueueUrl", "SecretId", "EventBusName", "KeyId") if k in params), None)
        if operation == "PutEvents":
            resource = params["Entries"][0]["EventBusName"]
        logical = self.names.get(str(resource), "*")
        if "IndexName" in params:  # IAM checks an index's own ARN: <table ARN>/index/<name>
            logical = f"{logical}/index/{params['IndexName']}"
        self.calls.add((f"{service}:{operation}", logical))


@pytest.fixture
def names(aws: Aws) -> dict[str, str]:
    found = {v: k for k, v in {**aws.tables, **aws.queues, **aws.secrets, **aws.keys}.items()}
    for bus in clients.events().list_event_buses()["EventBuses"]:
        found[bus["Name"]] = "GoodwordEventBus"
    return found


@contextmanager
def recording(names: dict[str, str], budget: clients.Budget) -> Iterator[Recorder]:
    clients.use_budget(budget)
    recorder = Recorder(names)
    services = (
        clients.dynamodb(),
        clients.sqs(),
        clients.secretsmanager(),
        clients.events(),
        clients.kms(),
        clients.cognito_idp(),
    )
    for client in services:
        client.meta.events.register("provide-client-params", recorder)
    try:
        yield recorder
    finally:
        for client in services:
            client.meta.events.unregister("provide-client-params", recorder)


def check(function: str, recorder: Recorder) -> None:
    grants = granted(function)
    justified = NOT_CALLED_BY_THE_CODE.get(function, {})
    assert recorder.calls - grants == set(), f"{function} calls what its role does not allow"
    assert grants - recorder.calls - set(justified) == set(), f"{function}'s role allows what its code never calls"
    assert not set(justified) & recorder.calls, "a justified grant is in fact called: drop it from the list"


def test_the_receivers_role_allows_exactly_its_calls(receiver: Any, lambda_context: Any, names: dict[str, str]) -> None:
    with recording(names, clients.RECEIVER) as recorder:
        body = fixture_bytes("x/aaa_tweet_create_events_mention.constructed.json")
        receiver.lambda_handler(http_api_event("x", body, headers=signed_headers("x", body)), lambda_context)
        receiver.lambda_handler(http_api_event("x", method="GET", query="crc_token=abc"), lambda_context)
    check("ReceiveWebhookFunction", recorder)


def test_the_pipelines_role_allows_exactly_its_calls(
    aws: Aws, pipeline: Any, lambda_context: Any, names: dict[str, str], platform: HTTPServer
) -> None:
    put_rules(aws, FLAGSHIP, SUPPORT, TAG_ONLY_NO_LIMITS)
    platform.expect_ordered_request("/graph/v26.0/17841405726653026").respond_with_json({"error": {"code": 4}}, status=400)
    platform.expect_ordered_request("/graph/v26.0/17841405726653026").respond_with_json(
        load_fixture("meta/read_mentioned_comment.constructed.json")
    )
    ids_only = received(aws, mention())
    with recording(names, clients.WORKER) as recorder:
        fan = event(POSITIVE)
        run(pipeline, lambda_context, fan)
        run(pipeline, lambda_context, fan)  # the stream's retry: re-reads what was recorded
        run(pipeline, lambda_context, event(NEGATIVE, author="p2", post="2"), start=5)
        run(pipeline, lambda_context, ids_only, start=9)  # ids only: queued for enrichment
        (message,) = messages(aws)
        for _ in range(2):  # rate limited: retried later; then completed, judged, offered
            pipeline.lambda_handler({"Records": [sqs_record(message)]}, lambda_context)
    check("ApplyRulesFunction", recorder)


def test_the_actions_roles_allows_exactly_its_calls(
    aws: Aws, pipeline: Any, actions: Any, lambda_context: Any, live: HTTPServer, names: dict[str, str]
) -> None:
    x_replies(
        live,
        [(503, {"title": "busy"}, {}), (429, {"title": "slow down"}, {"retry-after": "60"}), (201, {"data": {"id": "1"}}, {})],
    )
    first, second = offer_for_a_fan(aws, pipeline, lambda_context, FLAGSHIP, {**FLAGSHIP, "id": "second-offer", "priority": 20})
    with recording(names, clients.WORKER) as recorder:
        perform(actions, lambda_context, [first])  # 503: released, retried later (visibility)
        perform(actions, lambda_context, [first])  # 429: requeued with a delay
        perform(actions, lambda_context, [second])  # sent, announced on the event bus
    check("PerformActionsFunction", recorder)


def test_the_claim_pages_role_allows_exactly_its_calls(aws: Aws, page: Any, lambda_context: Any, names: dict[str, str]) -> None:
    first, second = sent_offer(aws, 1), sent_offer(aws, 2)
    code, other = first.claim_code or "", second.claim_code or ""
    with recording(names, clients.RECEIVER) as recorder:
        page.lambda_handler(claim_request(code), lambda_context)  # the form: the offer, its post, the settings
        sent = page.lambda_handler(claim_request(code, "POST", form(code, FAN)), lambda_context)
        shown = page.lambda_handler(claim_request(code, cookies=cookies_of(sent)), lambda_context)  # decrypts nothing
        page.lambda_handler(claim_request(other, "POST", form(other, FAN)), lambda_context)  # a repeat claimer: held, not linked
        page.lambda_handler(claim_request(code, "POST", form(code, FAN)), lambda_context)  # sent again: the claim, read
    assert "on its way" in shown["body"]
    assert not [c for c in recorder.calls if c[0] == "kms:Decrypt"]  # the page never reads a claimant back
    check("ClaimPageFunction", recorder)


def test_the_expiry_roles_allows_exactly_its_calls(aws: Aws, expiry: Any, lambda_context: Any, names: dict[str, str]) -> None:
    put_rules(aws, RULE)
    store(
        aws,
        offer(1, WorkState.SENT, timedelta(days=20)),  # due: expired and announced
        offer(2, WorkState.PENDING_REVIEW, timedelta(days=20)),  # waited too long: expired
        claimed := offer(3, WorkState.SENT, timedelta(days=200)),  # its claim is settled, its address past retention
        stuck := offer(4, WorkState.SENT, timedelta(days=1)),  # its claim was stored but never queued
    )
    settled_claim(aws, claimed, days_ago=200)
    assert claims_table(aws).create(claim_for(stuck, NOW - timedelta(minutes=30)), NOW - timedelta(minutes=30))
    with recording(names, clients.WORKER) as recorder:
        expiry.lambda_handler({}, lambda_context)
    check("ExpireOffersFunction", recorder)


def test_the_redemption_roles_allows_exactly_its_calls(
    aws: Aws, redemption: Any, lambda_context: Any, names: dict[str, str]
) -> None:
    claim_id = claim(aws, 1)
    with recording(names, clients.RECEIVER) as recorder:
        assert post(redemption, lambda_context, claim_id)[0] == 200  # the secret, the offer, the move, the bus
    check("RedeemClaimFunction", recorder)


def test_the_console_function_needs_no_grant_its_one_call_is_cognitos_public_sign_in(
    console: Any, lambda_context: Any, names: dict[str, str]
) -> None:
    assert "Policies" not in template()["Resources"]["ConsoleFunction"]["Properties"], "InitiateAuth is a public call"
    with recording(names, clients.RECEIVER) as recorder:
        console.lambda_handler(request("GET", "/console"), lambda_context)
        assert sign_in(console, lambda_context, credentials(*EDITOR))[0] == 200
        assert sign_in(console, lambda_context, credentials(EDITOR[0], "Wrong-password-123!"))[0] == 401
    assert recorder.calls == {("cognito-idp:InitiateAuth", "*")}
