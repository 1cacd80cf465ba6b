"""Approve from Slack against moto tables made from template.yaml, the real pipeline, the
real functions (their handlers) and the local fake of Slack: an offer entering review is
posted once to the brand's channel (StateTable's stream, through the template's own filter);
its buttons approve or reject it through the review service, and the message then says who
decided and when; a double click, or the console deciding at the same moment, approves once.

The review service (goodword.services.review.decide) is used when it is there; until then,
``cli_decide`` decides exactly as ``goodword review approve|reject`` does (its ``_finish``)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from dev_support.template import function_environment, template
from goodword.aws import clients
from goodword.services import review
from goodword.services.errors import Conflict
from goodword.slack.notices import notice_mark
from goodword.slack.signature import signature
from goodword.work import WorkRecord, WorkState
from local_stack.fake_slack import FakeSlack, Message
from local_stack.sources.filters import compile_filters, passes
from local_stack.sources.streams import to_lambda_record
from tests.conftest import Aws
from tests.functional.test_cli import SETTINGS, store, target
from tests.functional.test_pipeline import POSITIVE, event, put_rules, queued, run
from tests.functional.test_review_decisions import manual_flagship

SLACK_ROOT = "https://slack.test"
CHANNEL = "C0REVIEWS"


@pytest.fixture
def slack() -> FakeSlack:
    return FakeSlack(root=SLACK_ROOT, channels=frozenset({CHANNEL}))


def credentials(aws: Aws, slack: FakeSlack, **entry: str) -> None:
    from dev_support.platforms import CREDENTIALS

    value = {
        **CREDENTIALS,
        "slack": entry or {"bot_token": slack.bot_token, "channel": CHANNEL, "signing_secret": slack.signing_secret},
        "api_base_urls": {"slack": slack.api_base_url},
    }
    aws.secretsmanager.put_secret_value(SecretId=aws.secrets["PlatformCredentials"], SecretString=json.dumps(value))


@pytest.fixture
def functions(aws: Aws, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    """(notices, interactions): the two handler modules, with the template's environment and
    every Slack call answered by the fake."""
    from goodword.settings import slack_settings
    from slack_interactions import handler, notices

    refs = {**aws.tables, **aws.secrets, **aws.queues}
    for function in ("SlackReviewNoticesFunction", "SlackInteractionsFunction"):
        for key, value in function_environment(function, refs).items():
            if not key.startswith("POWERTOOLS_"):
                monkeypatch.setenv(key, value)
    credentials(aws, slack)
    for module in (handler, notices):
        monkeypatch.setattr(module, "send", lambda request, timeout=0: slack(request))
        monkeypatch.setattr(module, "send_to_public_address", lambda request, *_: slack(request))
    slack_settings.cache_clear()
    handler.reset()
    notices.reset()
    yield notices, handler
    handler.reset()
    notices.reset()
    slack_settings.cache_clear()


def offers_entering_review(aws: Aws, pipeline: Any, lambda_context: Any, *authors: str) -> list[dict[str, Any]]:
    """The pipeline makes an offer waiting for review for each author; the StateTable stream's
    records the template's filter lets through to the notices function, in the Lambda shape."""
    put_rules(aws, manual_flagship(), settings=SETTINGS)
    made = [event(POSITIVE, author=a, post=str(700 + i)) for i, a in enumerate(authors)]
    store(aws, *made)
    run(pipeline, lambda_context, *made, start=700)
    return stream_records(aws)


def stream_records(aws: Aws) -> list[dict[str, Any]]:
    arn = aws.dynamodb.describe_table(TableName=aws.tables["StateTable"])["Table"]["LatestStreamArn"]
    streams = boto3.client("dynamodbstreams")
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
        records += [to_lambda_record(r, arn) for r in streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]]
    (source,) = [e["Properties"] for e in template()["Resources"]["SlackReviewNoticesFunction"]["Properties"]["Events"].values()]
    assert len(records) > 1, "the stream carries every write (profiles, limits, offers)"
    return [r for r in records if passes(r, compile_filters(source["FilterCriteria"]))]


def notices_in(slack: FakeSlack) -> list[Message]:
    return slack.in_channel(CHANNEL)


def offer_id_of(message: Message) -> str:
    (actions,) = [b for b in message.blocks if b["type"] == "actions"]
    return str(actions["block_id"]).removeprefix("review:")


def interaction(headers: dict[str, str], body: bytes) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": "POST /slack/interactions",
        "rawPath": "/slack/interactions",
        "headers": headers,
        "body": body.decode(),
        "isBase64Encoded": False,
        "requestContext": {"http": {"method": "POST", "path": "/slack/interactions"}, "requestId": "r1"},
    }


def offer_state(aws: Aws, offer_id: str) -> WorkRecord:
    found = target(aws).state().find_work(offer_id)
    assert found is not None
    return found


def last_line(message: Message) -> str:
    return str(message.blocks[-1]["elements"][0]["text"])


# --- the notice ------------------------------------------------------------------------------


def test_an_offer_entering_review_is_posted_once_however_often_the_trigger_comes(
    aws: Aws, pipeline: Any, lambda_context: Any, functions: tuple[Any, Any], slack: FakeSlack
) -> None:
    notices, _ = functions
    (record,) = offers_entering_review(aws, pipeline, lambda_context, "amy")  # the offer, and nothing else
    assert notices.lambda_handler({"Records": [record]}, lambda_context) == {"batchItemFailures": []}
    assert notices.lambda_handler({"Records": [record]}, lambda_context) == {"batchItemFailures": []}  # redelivered
    threads = [threading.Thread(target=notices.lambda_handler, args=({"Records": [record]}, lambda_context)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    (message,) = notices_in(slack)
    text = json.dumps(message.blocks)
    assert "@fan_amy" in text and "I love your coffee" in text and "Ethiopia Guji" in text
    assert "Mentions:* 1 (1 positive)" in text and "Judgement:" in text
    offer = offer_state(aws, offer_id_of(message))
    assert offer.claim_link and offer.claim_link not in text and "[claim link]" in text


def test_a_notice_slack_never_got_is_posted_by_the_retry(
    aws: Aws, pipeline: Any, lambda_context: Any, functions: tuple[Any, Any], slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from goodword.outbound.transport import HttpResponse

    notices, _ = functions
    (record,) = offers_entering_review(aws, pipeline, lambda_context, "amy")
    monkeypatch.setattr(notices, "send", lambda request, timeout=0: HttpResponse(503, {}, b"down"))
    notices.reset()
    failed = notices.lambda_handler({"Records": [record]}, lambda_context)
    assert failed["batchItemFailures"] == [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]
    assert not notices_in(slack)
    monkeypatch.setattr(notices, "send", lambda request, timeout=0: slack(request))
    notices.reset()
    assert notices.lambda_handler({"Records": [record]}, lambda_context) == {"batchItemFailures": []}
    assert len(notices_in(slack)) == 1


def test_an_incoming_webhook_gets_the_notice_too(
    aws: Aws, pipeline: Any, lambda_context: Any, functions: tuple[Any, Any], slack: FakeSlack
) -> None:
    notices, _ = functions
    credentials(aws, slack, incoming_webhook_url=slack.incoming_webhook_url, signing_secret=slack.signing_secret)
    (record,) = offers_entering_review(aws, pipeline, lambda_context, "amy")
    notices.lambda_handler({"Records": [record]}, lambda_context)
    assert [path for path, _ in slack.requests] == [f"/slack/hooks/services/{slack.webhook_token}"]
    assert len(notices_in(slack)) == 1


def test_no_slack_entry_no_notice(
    aws: Aws, pipeline: Any, lambda_context: Any, functions: tuple[Any, Any], slack: FakeSlack
) -> None:
    from dev_support.platforms import CREDENTIALS

    notices, _ = functions
    aws.secretsmanager.put_secret_value(
        SecretId=aws.secrets["PlatformCredentials"],
        SecretString=json.dumps({k: v for k, v in CREDENTIALS.items() if k != "slack"}),
    )
    (record,) = offers_entering_review(aws, pipeline, lambda_context, "amy")
    assert notices.lambda_handler({"Records": [record]}, lambda_context) == {"batchItemFailures": []}
    assert not slack.requests


# --- the buttons -----------------------------------------------------------------------------


@pytest.fixture
def waiting(aws: Aws, pipeline: Any, lambda_context: Any, functions: tuple[Any, Any], slack: FakeSlack) -> Message:
    """One offer waiting for review, its notice in the channel."""
    notices, _ = functions
    (record,) = offers_entering_review(aws, pipeline, lambda_context, "amy")
    notices.lambda_handler({"Records": [record]}, lambda_context)
    (message,) = notices_in(slack)
    return message


def test_approve_from_slack(
    aws: Aws, functions: tuple[Any, Any], slack: FakeSlack, waiting: Message, lambda_context: Any
) -> None:
    _, handler = functions
    offer_id = offer_id_of(waiting)
    answered = handler.lambda_handler(interaction(*slack.click(waiting, f"approve:{offer_id}", "ana")), lambda_context)
    assert (answered["statusCode"], answered["body"]) == (200, "")
    decided = offer_state(aws, offer_id)
    assert (decided.state, decided.reviewed_by) == (WorkState.APPROVED, "slack:ana")
    assert [m["id"] for m in queued(aws)] == [offer_id]  # to be sent, once
    assert not [b for b in waiting.blocks if b["type"] == "actions"], "the buttons are gone"
    assert last_line(waiting).startswith("✅ Approved by slack:ana at ")
    assert "I love your coffee" in json.dumps(waiting.blocks), "the post is still shown"


@pytest.mark.parametrize(("button", "because"), [("reject-not-praise", "not-praise"), ("reject-other", "other")])
def test_reject_from_slack_says_why(
    aws: Aws, functions: tuple[Any, Any], slack: FakeSlack, waiting: Message, lambda_context: Any, button: str, because: str
) -> None:
    _, handler = functions
    offer_id = offer_id_of(waiting)
    handler.lambda_handler(interaction(*slack.click(waiting, f"{button}:{offer_id}", "ana")), lambda_context)
    decided = offer_state(aws, offer_id)
    assert (decided.state, decided.rejected_as, decided.reviewed_by) == (WorkState.REJECTED, because, "slack:ana")
    assert not queued(aws)
    assert last_line(waiting).startswith("Rejected by slack:ana at ")


def test_a_double_click_approves_once_and_says_who_was_first(
    aws: Aws, functions: tuple[Any, Any], slack: FakeSlack, waiting: Message, lambda_context: Any
) -> None:
    _, handler = functions
    offer_id = offer_id_of(waiting)
    first = slack.click(waiting, f"approve:{offer_id}", "ana")
    second = slack.click(waiting, f"approve:{offer_id}", "bo")  # clicked before the message changed
    assert handler.lambda_handler(interaction(*first), lambda_context)["statusCode"] == 200
    assert handler.lambda_handler(interaction(*second), lambda_context)["statusCode"] == 200
    assert offer_state(aws, offer_id).reviewed_by == "slack:ana"
    assert len(queued(aws)) == 1
    assert last_line(waiting).startswith("Already approved by slack:ana at ")


def test_the_console_and_slack_at_once_approve_once(
    aws: Aws, functions: tuple[Any, Any], slack: FakeSlack, waiting: Message, lambda_context: Any
) -> None:
    _, handler = functions
    offer_id = offer_id_of(waiting)
    click = slack.click(waiting, f"approve:{offer_id}", "ana")
    start, outcomes = threading.Barrier(2), []

    def from_slack() -> None:
        start.wait()
        outcomes.append(handler.lambda_handler(interaction(*click), lambda_context)["statusCode"])

    def from_console() -> None:
        start.wait()
        try:
            review.decide(target(aws).stores(), offer_id, "approve", "console:bo@example.com")
            outcomes.append("console approved")
        except Conflict:
            outcomes.append("console too late")

    threads = [threading.Thread(target=from_slack), threading.Thread(target=from_console)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    decided = offer_state(aws, offer_id)
    assert decided.state is WorkState.APPROVED
    assert len(queued(aws)) == 1, "one approval, one message to send"
    if decided.reviewed_by == "slack:ana":
        assert "console too late" in outcomes
        assert last_line(waiting).startswith("✅ Approved by slack:ana")
    else:
        assert decided.reviewed_by == "console:bo@example.com" and "console approved" in outcomes
        assert last_line(waiting).startswith("Already approved by console:bo@example.com")


def test_a_click_not_signed_by_slack_now_decides_nothing(
    aws: Aws, functions: tuple[Any, Any], slack: FakeSlack, waiting: Message, lambda_context: Any
) -> None:
    _, handler = functions
    offer_id = offer_id_of(waiting)
    headers, body = slack.click(waiting, f"approve:{offer_id}", "ana")
    stale_at = str(int((datetime.now(UTC) - timedelta(minutes=6)).timestamp()))
    refused = [
        {**headers, "x-slack-signature": signature("not-the-secret", headers["x-slack-request-timestamp"], body)},
        {**headers, "x-slack-request-timestamp": stale_at, "x-slack-signature": signature(slack.signing_secret, stale_at, body)},
        {k: v for k, v in headers.items() if k != "x-slack-signature"},
    ]
    for forged in refused:
        assert handler.lambda_handler(interaction(forged, body), lambda_context)["statusCode"] == 401
    reencoded = body.replace(b"%2C+%22", b"%2C%22")  # the same JSON, other bytes
    assert reencoded != body
    assert handler.lambda_handler(interaction(headers, reencoded), lambda_context)["statusCode"] == 401
    assert offer_state(aws, offer_id).state is WorkState.PENDING_REVIEW
    assert [b for b in waiting.blocks if b["type"] == "actions"], "the buttons are still there"
    base64_body = {**interaction(headers, body), "isBase64Encoded": True}
    import base64

    base64_body["body"] = base64.b64encode(body).decode()
    assert handler.lambda_handler(base64_body, lambda_context)["statusCode"] == 200  # as API Gateway may pass it
    assert offer_state(aws, offer_id).state is WorkState.APPROVED


def test_a_click_from_another_channel_decides_nothing(
    aws: Aws, functions: tuple[Any, Any], slack: FakeSlack, waiting: Message, lambda_context: Any
) -> None:
    from urllib.parse import parse_qs, urlencode

    _, handler = functions
    offer_id = offer_id_of(waiting)
    _, body = slack.click(waiting, f"approve:{offer_id}", "ana")
    payload = json.loads(parse_qs(body.decode())["payload"][0])
    payload["container"]["channel_id"] = payload["channel"]["id"] = "C0ELSEWHERE"  # the message shared elsewhere
    moved = urlencode({"payload": json.dumps(payload)}).encode()
    now = str(int(datetime.now(UTC).timestamp()))
    headers = {"x-slack-request-timestamp": now, "x-slack-signature": signature(slack.signing_secret, now, moved)}
    assert handler.lambda_handler(interaction(headers, moved), lambda_context)["statusCode"] == 200
    assert offer_state(aws, offer_id).state is WorkState.PENDING_REVIEW


def test_the_notice_marks_are_per_offer(
    aws: Aws, pipeline: Any, lambda_context: Any, functions: tuple[Any, Any], slack: FakeSlack
) -> None:
    notices, _ = functions
    records = offers_entering_review(aws, pipeline, lambda_context, "amy", "bo")
    assert len(records) == 2
    notices.lambda_handler({"Records": records + records}, lambda_context)
    posted = notices_in(slack)
    assert sorted(offer_id_of(m) for m in posted) == sorted({offer_id_of(m) for m in posted})
    assert len(posted) == 2
    state = target(aws).state()
    assert not state.mark_once(notice_mark(offer_id_of(posted[0])), "someone else")
    clients.reset()


# --- the roles -------------------------------------------------------------------------------


def test_the_notices_role_allows_exactly_its_calls(
    aws: Aws, pipeline: Any, lambda_context: Any, functions: tuple[Any, Any], slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from goodword.outbound.transport import HttpResponse
    from tests.functional.test_iam import check, recording

    notices, _ = functions
    (record,) = offers_entering_review(aws, pipeline, lambda_context, "amy")
    with recording(iam_names(aws), clients.WORKER) as recorder:
        monkeypatch.setattr(notices, "send", lambda request, timeout=0: HttpResponse(503, {}, b""))
        notices.reset()
        notices.lambda_handler({"Records": [record]}, lambda_context)  # Slack down: the mark given back
        monkeypatch.setattr(notices, "send", lambda request, timeout=0: slack(request))
        notices.reset()
        notices.lambda_handler({"Records": [record]}, lambda_context)  # posted
    check("SlackReviewNoticesFunction", recorder)


def test_the_interactions_role_allows_exactly_its_calls(
    aws: Aws, pipeline: Any, lambda_context: Any, functions: tuple[Any, Any], slack: FakeSlack
) -> None:
    """With the review service's calls (or, until it is merged, those of `goodword review`)."""
    from tests.functional.test_iam import check, recording

    notices, handler = functions
    notices.lambda_handler({"Records": offers_entering_review(aws, pipeline, lambda_context, "amy", "bo")}, lambda_context)
    amy, bo = notices_in(slack)
    clicks = [
        slack.click(amy, f"approve:{offer_id_of(amy)}", "ana"),  # approved: a contact, queued
        slack.click(bo, f"reject-not-praise:{offer_id_of(bo)}", "ana"),  # the once-per-person limit given back
        slack.click(amy, f"reject-other:{offer_id_of(amy)}", "bo"),  # too late: who was first is read
    ]
    with recording(iam_names(aws), clients.RECEIVER) as recorder:
        for click in clicks:
            assert handler.lambda_handler(interaction(*click), lambda_context)["statusCode"] == 200
    check("SlackInteractionsFunction", recorder)


def iam_names(aws: Aws) -> dict[str, str]:
    found = {v: k for k, v in {**aws.tables, **aws.queues, **aws.secrets, **aws.keys}.items()}
    for bus in clients.events().list_event_buses()["EventBuses"]:
        found[bus["Name"]] = "GoodwordEventBus"
    return found
