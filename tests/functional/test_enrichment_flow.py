"""Enrichment through the apply_rules handler on moto, the platform faked by pytest-httpserver:
an Instagram mention delivered with ids only is queued, not judged; its EnrichmentQueue message
completes the stored event and only then is it judged and offered a sample, once: a redelivered
stream record or message finds it decided. A rate-limited read keeps its message for later."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from dev_support.lambda_events import sqs_record
from dev_support.paths import FIXTURES
from dev_support.platforms import CREDENTIALS
from goodword.aws.codec import from_dynamodb, to_dynamodb
from goodword.event_items import event_item
from goodword.events import Event, EventKind, EventRefs, Platform
from tests.conftest import Aws
from tests.functional.test_cli import goodword, goodword_json
from tests.functional.test_erase import everything
from tests.functional.test_pipeline import FLAGSHIP, put_rules, record, work

IG_ACCOUNT = "17841405726653026"


def received(aws: Aws, event: Event) -> Event:
    """Stored as the receiver stores it (the stream record below is its INSERT)."""
    aws.dynamodb.put_item(TableName=aws.tables["EventsTable"], Item=to_dynamodb(event_item(event)))
    return event


def mention() -> Event:
    now = datetime.now(UTC)
    return Event(
        platform=Platform.INSTAGRAM,
        kind=EventKind.MENTION,
        natural_id="mention:17918195224117851:17894227972186120",
        brand_account=IG_ACCOUNT,
        occurred_at=now,
        received_at=now,
        source="meta",
        refs=EventRefs(media_id="17918195224117851", comment_id="17894227972186120"),
    )


@pytest.fixture
def platform(aws: Aws, httpserver: HTTPServer) -> HTTPServer:
    base = httpserver.url_for("").rstrip("/")
    credentials = {
        **CREDENTIALS,
        "api_base_urls": {"graph": f"{base}/graph/v26.0", "linkedin": f"{base}/linkedin", "x": f"{base}/x"},
    }
    aws.secretsmanager.put_secret_value(SecretId=aws.secrets["PlatformCredentials"], SecretString=json.dumps(credentials))
    return httpserver


def stored(aws: Aws, event: Event, sk: str = "EVENT") -> dict[str, Any] | None:
    item = aws.dynamodb.get_item(
        TableName=aws.tables["EventsTable"], Key={"pk": {"S": f"EVENT#{event.event_id}"}, "sk": {"S": sk}}, ConsistentRead=True
    ).get("Item")
    return from_dynamodb(item) if item else None


def messages(aws: Aws) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = aws.sqs.receive_message(
        QueueUrl=aws.queues["EnrichmentQueue"], MaxNumberOfMessages=10, AttributeNames=["All"], VisibilityTimeout=0
    ).get("Messages", [])
    return found


def instagram_answers(platform: HTTPServer, fixture: str, status: int = 200) -> None:
    """The platform answers every read of the brand's IG account with this fixture."""
    body = json.loads((FIXTURES / fixture).read_text())
    platform.expect_request(f"/graph/v26.0/{IG_ACCOUNT}").respond_with_json(body, status=status)


def through_the_queue(aws: Aws, pipeline: Any, lambda_context: Any) -> tuple[Event, dict[str, Any], dict[str, Any]]:
    """An ids-only mention received, its stream record handled (queued), and its queue message
    handled once: (the event, the message, the handler's answer to it)."""
    ids_only = received(aws, mention())
    pipeline.lambda_handler({"Records": [record(ids_only, 1)]}, lambda_context)
    (queued,) = messages(aws)
    return ids_only, queued, pipeline.lambda_handler({"Records": [sqs_record(queued)]}, lambda_context)


def test_an_ids_only_instagram_mention_is_completed_then_judged_and_offered_once(
    aws: Aws, pipeline: Any, lambda_context: Any, platform: HTTPServer
) -> None:
    put_rules(aws, FLAGSHIP)
    instagram_answers(platform, "meta/read_mentioned_comment.constructed.json")
    ids_only = received(aws, mention())
    assert pipeline.lambda_handler({"Records": [record(ids_only, 1)]}, lambda_context) == {"batchItemFailures": []}
    assert stored(aws, ids_only, "DECISIONS") is None  # never judged as empty text
    (queued,) = messages(aws)
    assert json.loads(queued["Body"]) == {"event_id": ids_only.event_id}

    assert pipeline.lambda_handler({"Records": [sqs_record(queued)]}, lambda_context) == {"batchItemFailures": []}
    item = stored(aws, ids_only)
    assert item is not None
    assert item["text"].startswith("@roaster your Ethiopia Guji") and item["author"]["handle"] == "gracehopper_brews"
    assert item["enrichment"]["state"] == "enriched"
    decided = stored(aws, ids_only, "DECISIONS")
    assert decided is not None and decided["decisions"][0]["outcome"] == "acted"
    (offer,) = work(aws, "offer_sample")
    assert offer["author_handle"] == "gracehopper_brews"
    code, shown = goodword(aws, "events", "show", ids_only.event_id)
    assert code == 0, shown
    assert "enrichment: enriched (instagram.mentioned_comment fetched, 1 attempt(s))" in shown

    # The stream redelivers the INSERT (ids only) and SQS the message: nothing runs twice.
    pipeline.lambda_handler({"Records": [record(ids_only, 1)]}, lambda_context)
    for again in [*messages(aws), queued]:
        assert pipeline.lambda_handler({"Records": [sqs_record(again)]}, lambda_context) == {"batchItemFailures": []}
    assert len(platform.log) == 1
    assert stored(aws, ids_only, "DECISIONS") == decided
    assert len(work(aws, "offer_sample")) == 1


def test_a_rate_limited_read_keeps_its_message_and_the_event_waits(
    aws: Aws, pipeline: Any, lambda_context: Any, platform: HTTPServer
) -> None:
    put_rules(aws, FLAGSHIP)
    instagram_answers(platform, "meta/read_graph_error_rate_limited.documented_shape.json", status=400)
    ids_only, queued, answer = through_the_queue(aws, pipeline, lambda_context)
    assert answer == {"batchItemFailures": [{"itemIdentifier": queued["MessageId"]}]}  # kept, not dropped
    item = stored(aws, ids_only)
    assert item is not None and item["enrichment"]["state"] == "waiting"
    assert item["enrichment"]["reason"] == "rate_limited" and item["enrichment"]["attempts"] == 1
    assert stored(aws, ids_only, "DECISIONS") is None and work(aws) == []
    code, shown = goodword(aws, "events", "show", ids_only.event_id)
    assert code == 0 and "enrichment: waiting: rate_limited, tried 1 time(s), next at" in shown


def test_a_deleted_mention_is_judged_with_what_it_has_and_says_why(
    aws: Aws, pipeline: Any, lambda_context: Any, platform: HTTPServer
) -> None:
    put_rules(aws, FLAGSHIP)
    instagram_answers(platform, "meta/read_graph_error_missing.documented_shape.json", status=400)
    ids_only, _, _ = through_the_queue(aws, pipeline, lambda_context)
    item = stored(aws, ids_only)
    assert item is not None and (item["enrichment"]["state"], item["enrichment"]["reason"]) == ("unavailable", "deleted")
    decided = stored(aws, ids_only, "DECISIONS")
    assert decided is not None  # decided, so nothing waits forever; no author, so nobody is contacted
    assert work(aws) == []


def test_erasing_the_author_of_an_enriched_mention_leaves_nothing_fetched(
    aws: Aws, pipeline: Any, lambda_context: Any, platform: HTTPServer
) -> None:
    put_rules(aws, FLAGSHIP)
    instagram_answers(platform, "meta/read_mentioned_comment.constructed.json")
    through_the_queue(aws, pipeline, lambda_context)
    assert "best coffee I have had all year" in everything(aws)  # in the event and in the fetch cache

    erased = goodword_json(aws, "people", "erase", f"instagram:{IG_ACCOUNT}:gracehopper_brews")
    assert erased["events"] == 1
    left = everything(aws)
    assert "best coffee I have had all year" not in left and "gracehopper" not in left
