"""Performing offers and actions (perform_actions handler) against moto and a local HTTP
server standing in for the platforms: dry run, live sends, exactly once under redelivery and
concurrency, retries, rate limits, policy at send time, signed notifications."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dev_support.lambda_events import sqs_record
from dev_support.platforms import CREDENTIALS
from goodword.aws.codec import from_dynamodb, to_dynamodb
from tests.conftest import Aws
from tests.functional.test_pipeline import FLAGSHIP, NEGATIVE, POSITIVE, SUPPORT, event, put_rules, run, work


@pytest.fixture
def actions(aws: Aws) -> Iterator[Any]:
    from perform_actions import handler

    from goodword.aws import clients

    handler._performer.cache_clear()
    clients.use_budget(clients.WORKER)
    yield handler
    handler._performer.cache_clear()


@pytest.fixture
def live(aws: Aws, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    monkeypatch.setenv("ACTIONS_MODE", "live")
    base = httpserver.url_for("").rstrip("/")
    credentials = {**CREDENTIALS, "api_base_urls": {"x": base, "graph": base, "linkedin": base, "twitch": base}}
    aws.secretsmanager.put_secret_value(SecretId=aws.secrets["PlatformCredentials"], SecretString=json.dumps(credentials))
    from goodword.settings import actions_settings

    actions_settings.cache_clear()
    return httpserver


def queued_records(aws: Aws, wait: int = 0) -> list[dict[str, Any]]:
    """ActionsQueue messages as Lambda's SQS event records (real receipt handles)."""
    received = aws.sqs.receive_message(
        QueueUrl=aws.queues["ActionsQueue"], MaxNumberOfMessages=10, AttributeNames=["All"], WaitTimeSeconds=wait
    ).get("Messages", [])
    return [sqs_record(m) for m in received]


def offer_for_a_fan(aws: Aws, pipeline: Any, context: Any, *rules: dict[str, Any]) -> list[dict[str, Any]]:
    put_rules(aws, *(rules or (FLAGSHIP,)))
    run(pipeline, context, event(POSITIVE))
    return queued_records(aws)


def perform(actions: Any, context: Any, records: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = actions.lambda_handler({"Records": records}, context)
    return result


def delayed_messages(aws: Aws) -> int:
    attributes = aws.sqs.get_queue_attributes(
        QueueUrl=aws.queues["ActionsQueue"], AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )
    return int(attributes["Attributes"]["ApproximateNumberOfMessagesDelayed"])


def the_offer(aws: Aws) -> dict[str, Any]:
    (offer,) = work(aws, "offer_sample")
    return offer


def x_replies(server: HTTPServer, responses: list[tuple[int, Any, dict[str, str]]]) -> list[Request]:
    seen: list[Request] = []
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        with lock:
            seen.append(request)
            status, body, headers = responses[min(len(seen), len(responses)) - 1]
        return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")

    server.expect_request("/2/tweets", method="POST").respond_with_handler(handler)
    return seen


def test_dry_run_records_what_would_be_sent_and_announces_it(aws: Aws, pipeline: Any, actions: Any, lambda_context: Any) -> None:
    records = offer_for_a_fan(aws, pipeline, lambda_context)
    from goodword.aws import clients

    with mock.patch.object(clients.events(), "put_events", wraps=clients.events().put_events) as put_events:
        assert perform(actions, lambda_context, records) == {"batchItemFailures": []}
    offer = the_offer(aws)
    assert (offer["state"], offer["dry_run"], offer["channel"]) == ("sent", True, "reply")
    assert offer["message"].startswith("Thank you @fan_p1!")
    assert offer["claim_link"] in offer["message"] and "link_message" not in offer, "on X the link goes in the public reply"
    assert offer["gsi1pk"] == "OFFERS#sent"
    (call,) = put_events.call_args_list
    entry = call.kwargs["Entries"][0]
    assert (entry["Source"], entry["DetailType"]) == ("goodword", "Offer sent")
    detail = json.loads(entry["Detail"])
    assert detail["id"] == offer["id"] and "claim_code" not in detail


def test_live_sends_the_documented_reply_once_even_when_the_message_comes_again(
    aws: Aws,
    pipeline: Any,
    actions: Any,
    lambda_context: Any,
    live: HTTPServer,
) -> None:
    seen = x_replies(live, [(201, {"data": {"id": "1890", "text": "ok"}}, {})])
    records = offer_for_a_fan(aws, pipeline, lambda_context)
    perform(actions, lambda_context, records)
    perform(actions, lambda_context, records)  # SQS delivered it again
    assert len(seen) == 1
    assert json.loads(seen[0].data) == {"text": the_offer(aws)["message"], "reply": {"in_reply_to_tweet_id": "1"}}
    assert seen[0].headers["Authorization"] == f"Bearer {CREDENTIALS['x']['user_access_token']}"
    assert (the_offer(aws)["state"], the_offer(aws)["platform_message_id"]) == ("sent", "1890")


@pytest.mark.usefixtures("atomic_moto")
def test_ten_concurrent_copies_send_once(aws: Aws, pipeline: Any, actions: Any, lambda_context: Any, live: HTTPServer) -> None:
    seen = x_replies(live, [(201, {"data": {"id": "1890"}}, {})])
    records = offer_for_a_fan(aws, pipeline, lambda_context)
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda _: perform(actions, lambda_context, records), range(10)))
    assert len(seen) == 1
    assert the_offer(aws)["state"] == "sent"


def test_a_5xx_is_retried_then_sent(aws: Aws, pipeline: Any, actions: Any, lambda_context: Any, live: HTTPServer) -> None:
    seen = x_replies(live, [(503, {"title": "busy"}, {}), (201, {"data": {"id": "1891"}}, {})])
    records = offer_for_a_fan(aws, pipeline, lambda_context)
    first = perform(actions, lambda_context, records)
    assert first == {"batchItemFailures": [{"itemIdentifier": records[0]["messageId"]}]}
    assert the_offer(aws)["state"] == "approved", "released for the retry"
    perform(actions, lambda_context, records)
    assert len(seen) == 2
    assert the_offer(aws)["state"] == "sent"


def test_a_429_waits_as_long_as_the_platform_says(
    aws: Aws, pipeline: Any, actions: Any, lambda_context: Any, live: HTTPServer
) -> None:
    x_replies(live, [(429, {"title": "Too Many Requests"}, {"retry-after": "120"})])
    records = offer_for_a_fan(aws, pipeline, lambda_context)
    assert perform(actions, lambda_context, records) == {"batchItemFailures": []}
    assert the_offer(aws)["state"] == "approved"
    assert delayed_messages(aws) == 1, "delayed, not dropped"


def test_a_4xx_is_final_with_the_platforms_message(
    aws: Aws, pipeline: Any, actions: Any, lambda_context: Any, live: HTTPServer
) -> None:
    x_replies(live, [(403, {"detail": "You are not permitted to reply to this post."}, {})])
    records = offer_for_a_fan(aws, pipeline, lambda_context)
    assert perform(actions, lambda_context, records) == {"batchItemFailures": []}
    offer = the_offer(aws)
    assert (offer["state"], offer["reason"]) == ("failed", "403: You are not permitted to reply to this post.")


def test_no_answer_after_sending_is_never_sent_again(
    aws: Aws, pipeline: Any, actions: Any, lambda_context: Any, live: HTTPServer
) -> None:
    records = offer_for_a_fan(aws, pipeline, lambda_context)
    from goodword.outbound.transport import TransportError

    with mock.patch.object(actions._performer(), "http", side_effect=TransportError("TimeoutError", maybe_sent=True)):
        perform(actions, lambda_context, records)
    offer = the_offer(aws)
    assert offer["state"] == "failed" and offer["reason"].startswith("outcome unknown")
    seen = x_replies(live, [(201, {"data": {"id": "1"}}, {})])
    perform(actions, lambda_context, records)
    assert seen == []


def test_a_refused_connection_is_retried(aws: Aws, pipeline: Any, actions: Any, lambda_context: Any, live: HTTPServer) -> None:
    records = offer_for_a_fan(aws, pipeline, lambda_context)
    from goodword.outbound.transport import TransportError

    with mock.patch.object(actions._performer(), "http", side_effect=TransportError("ConnectionRefusedError", maybe_sent=False)):
        result = perform(actions, lambda_context, records)
    assert result["batchItemFailures"] and the_offer(aws)["state"] == "approved"


def test_an_attempt_that_died_mid_send_is_marked_unknown_not_resent(
    aws: Aws,
    pipeline: Any,
    actions: Any,
    lambda_context: Any,
    live: HTTPServer,
) -> None:
    records = offer_for_a_fan(aws, pipeline, lambda_context)
    offer = the_offer(aws)
    long_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    aws.dynamodb.update_item(
        TableName=aws.tables["StateTable"],
        Key=to_dynamodb({"pk": offer["pk"], "sk": "WORK"}),
        UpdateExpression="SET #s = :s, attempt_id = :a, attempt_started_at = :t",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues=to_dynamodb({":s": "sending", ":a": "dead", ":t": long_ago}),
    )
    seen = x_replies(live, [(201, {"data": {"id": "1"}}, {})])
    perform(actions, lambda_context, records)
    assert seen == []
    assert the_offer(aws)["reason"].startswith("outcome unknown")


def test_rate_limits_delay_work_instead_of_dropping_it(
    aws: Aws, pipeline: Any, actions: Any, lambda_context: Any, live: HTTPServer
) -> None:
    seen = x_replies(live, [(201, {"data": {"id": "1"}}, {})])
    records = offer_for_a_fan(aws, pipeline, lambda_context)
    bucket = int(datetime.now(UTC).timestamp()) // 900
    aws.dynamodb.put_item(
        TableName=aws.tables["StateTable"],
        Item=to_dynamodb({"pk": f"RATE#x#2244994945#reply#900#{bucket}", "sk": "RATE", "count": 100}),
    )
    perform(actions, lambda_context, records)
    assert seen == []
    assert the_offer(aws)["state"] == "approved"
    assert delayed_messages(aws) == 1, "delayed, not dropped"


def test_policy_is_checked_again_at_send(aws: Aws, pipeline: Any, actions: Any, lambda_context: Any) -> None:
    long_message = {
        **FLAGSHIP,
        "actions": [
            {
                "offer_sample": {
                    **FLAGSHIP["actions"][0]["offer_sample"],
                    "message": "{author_handle} " + "thank you " * 40,
                    "ask_message": "{author_handle} " + "thank you " * 40,
                }
            }
        ],
    }
    records = offer_for_a_fan(aws, pipeline, lambda_context, long_message)
    assert perform(actions, lambda_context, records) == {"batchItemFailures": []}
    offer = the_offer(aws)
    assert offer["state"] == "failed"
    assert offer["reason"].startswith("platform policy: the message is") and "x reply allows 280" in offer["reason"]


@pytest.fixture
def private_notify(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local HTTP server is on loopback: let notify reach it (the local stack does the same)."""
    from goodword.settings import actions_settings

    monkeypatch.setenv("NOTIFY_ALLOW_PRIVATE_NETWORKS", "true")
    actions_settings.cache_clear()


@pytest.mark.usefixtures("private_notify")
def test_notifications_are_signed_standard_webhooks(
    aws: Aws, pipeline: Any, actions: Any, lambda_context: Any, live: HTTPServer
) -> None:
    captured: list[Request] = []

    def inbox(request: Request) -> Response:
        captured.append(request)
        return Response("", status=204)

    live.expect_request("/hooks/goodword", method="POST").respond_with_handler(inbox)
    support = {
        **SUPPORT,
        "actions": [{"notify": {"url": live.url_for("/hooks/goodword"), "message": "{author_handle} is unhappy"}}],
    }
    put_rules(aws, support)
    run(pipeline, lambda_context, event(NEGATIVE))
    perform(actions, lambda_context, queued_records(aws))
    (request,) = captured
    from goodword.webhooks.request import WebhookRequest
    from goodword.webhooks.secrets import StandardSecrets
    from goodword.webhooks.standard import StandardAdapter

    verify = WebhookRequest(
        "POST", "standard", {k.lower(): v for k, v in request.headers.items()}, {}, request.data, datetime.now(UTC)
    )
    StandardAdapter().verify(verify, StandardSecrets(secret=CREDENTIALS["notify"]["secret"]), datetime.now(UTC))
    body = json.loads(request.data)
    assert (body["message"], body["text"]) == ("@fan_p1 is unhappy", NEGATIVE)
    (action,) = [
        from_dynamodb(i) for i in aws.dynamodb.scan(TableName=aws.tables["StateTable"])["Items"] if i["sk"]["S"] == "WORK"
    ]
    assert action["state"] == "sent"


@pytest.mark.usefixtures("private_notify")
def test_a_slack_notify_posts_what_a_slack_incoming_webhook_shows(
    aws: Aws, pipeline: Any, actions: Any, lambda_context: Any, live: HTTPServer
) -> None:
    captured: list[Request] = []

    def slack(request: Request) -> Response:
        captured.append(request)
        return Response("ok", status=200, content_type="text/plain")  # what Slack answers

    live.expect_request("/services/T000/B000/XXXX", method="POST").respond_with_handler(slack)
    url = live.url_for("/services/T000/B000/XXXX")
    put_rules(aws, {**SUPPORT, "actions": [{"notify": {"url": url, "message": "{author_handle} is unhappy", "format": "slack"}}]})
    said = "Stale beans <!channel> & <https://evil.example|your order> was torn. Terrible."
    run(pipeline, lambda_context, event(said, post="1900000000000000001"))
    perform(actions, lambda_context, queued_records(aws))
    (request,) = captured
    body = json.loads(request.data)
    assert set(body) >= {"text", "blocks"}, "Slack shows text and blocks; Goodword's own JSON would show nothing useful"
    shown = json.dumps(body["blocks"])
    assert "@fan_p1 is unhappy" in body["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt; &amp; &lt;https://evil.example|your order&gt;" in shown, "the fan's words cannot ping or link"
    assert "<!channel>" not in json.dumps(body)
    assert "<https://x.com/i/web/status/1900000000000000001|open the post>" in shown
    assert "*@fan_p1*" in shown
    assert "@fan_p1 is unhappy" in body["text"]
    assert request.headers["webhook-signature"].startswith("v1,"), "still signed"
    assert the_action(aws)["state"] == "sent"


def test_a_notify_format_is_standard_or_slack() -> None:
    from pydantic import ValidationError

    from goodword.rules.model import Notify

    assert Notify.model_validate({"url": "https://hooks.slack.com/services/T/B/X"}).format == "standard"
    assert Notify.model_validate({"url": "https://hooks.slack.com/services/T/B/X", "format": "slack"}).format == "slack"
    with pytest.raises(ValidationError, match="format"):
        Notify.model_validate({"url": "https://hooks.slack.com/services/T/B/X", "format": "teams"})


def test_an_offer_sent_event_carries_no_claim_code_link_or_webhook(
    aws: Aws, pipeline: Any, actions: Any, lambda_context: Any
) -> None:
    """Anyone who reads the bus (a CRM, a shop, a log of it) must not be able to claim the gift
    or learn the brand's fulfilment webhook: the code, the link, the link message and the
    fulfilment's url are not in the event."""
    from goodword.aws import clients

    secret_hook = "https://hooks.example.com/services/T000/B000/s3cr3t"
    offer_rule = FLAGSHIP["actions"][0]["offer_sample"]
    rule = {**FLAGSHIP, "actions": [{"offer_sample": {**offer_rule, "fulfilment": {"kind": "notify", "url": secret_hook}}}]}
    records = offer_for_a_fan(aws, pipeline, lambda_context, rule)
    with mock.patch.object(clients.events(), "put_events", wraps=clients.events().put_events) as put_events:
        perform(actions, lambda_context, records)
    offer = the_offer(aws)
    assert offer["claim_code"] and offer["claim_link"] and offer["fulfilment"]["url"] == secret_hook
    (call,) = put_events.call_args_list
    raw = call.kwargs["Entries"][0]["Detail"]
    detail = json.loads(raw)
    assert detail["id"] == offer["id"] and detail["fulfilment_kind"] == "notify"
    for hidden in ("claim_code", "claim_link", "link_message", "fulfilment"):
        assert hidden not in detail
    for secret in (offer["claim_code"], offer["claim_link"], secret_hook):
        assert secret not in raw


def test_announcements_carry_a_stable_id_and_one_that_failed_is_sent_on_redelivery(
    aws: Aws, pipeline: Any, actions: Any, lambda_context: Any
) -> None:
    from goodword.aws import clients

    records = offer_for_a_fan(aws, pipeline, lambda_context)
    real = clients.events().put_events
    outcomes = iter([RuntimeError("EventBridge unavailable"), None, None])

    def flaky(**kwargs: Any) -> Any:
        failure = next(outcomes)
        if failure:
            raise failure
        return real(**kwargs)

    with mock.patch.object(clients.events(), "put_events", side_effect=flaky) as put_events:
        perform(actions, lambda_context, records)  # sent; the announcement failed
        assert the_offer(aws)["state"] == "sent" and "announced_at" not in the_offer(aws)
        perform(actions, lambda_context, records)  # SQS delivered it again: announced now
        perform(actions, lambda_context, records)  # and once announced, never again
    details = [json.loads(c.kwargs["Entries"][0]["Detail"]) for c in put_events.call_args_list]
    assert len(details) == 2, "one failed attempt, one announcement"
    assert details[1]["announcement_id"] == f"{the_offer(aws)['id']}:sent"
    assert details[1]["id"] == the_offer(aws)["id"]
    assert "announced_at" in the_offer(aws)


def notify_rule(url: str) -> dict[str, Any]:
    return {**SUPPORT, "actions": [{"notify": {"url": url, "message": "{author_handle} is unhappy"}}]}


def the_action(aws: Aws) -> dict[str, Any]:
    (action,) = [
        from_dynamodb(i) for i in aws.dynamodb.scan(TableName=aws.tables["StateTable"])["Items"] if i["sk"]["S"] == "WORK"
    ]
    return action


def test_a_notify_url_on_a_private_address_is_refused_at_send_and_never_called(
    aws: Aws, pipeline: Any, actions: Any, lambda_context: Any, live: HTTPServer
) -> None:
    put_rules(aws, notify_rule(live.url_for("/hooks/goodword")))  # loopback, like the metadata service
    run(pipeline, lambda_context, event(NEGATIVE))
    assert perform(actions, lambda_context, queued_records(aws)) == {"batchItemFailures": []}
    action = the_action(aws)
    assert action["state"] == "failed"
    assert action["reason"].startswith("notify URL refused: localhost resolves to ")
    assert action["reason"].endswith(", which is not a public address")
    assert live.log == [], "no request was made"


@pytest.mark.usefixtures("private_notify")
@pytest.mark.parametrize(
    ("status", "body", "headers", "reason"),
    [
        (
            302,
            "",
            {"Location": "http://169.254.169.254/latest/meta-data/"},
            "the notify URL answered 302 (a redirect: not followed)",
        ),
        (400, '{"message": "internal: db=prod-7 user=admin"}', {}, "the notify URL answered 400"),
    ],
    ids=["redirect", "body"],
)
def test_a_notify_answer_is_recorded_as_its_status_only_and_redirects_are_not_followed(
    status: int,
    body: str,
    headers: dict[str, str],
    reason: str,
    aws: Aws,
    pipeline: Any,
    actions: Any,
    lambda_context: Any,
    live: HTTPServer,
) -> None:
    live.expect_request("/hooks/goodword").respond_with_response(Response(body, status=status, headers=headers))
    put_rules(aws, notify_rule(live.url_for("/hooks/goodword")))
    run(pipeline, lambda_context, event(NEGATIVE))
    perform(actions, lambda_context, queued_records(aws))
    assert (the_action(aws)["state"], the_action(aws)["reason"]) == ("failed", reason)
    assert len(live.log) == 1, "the redirect's target was never requested"
