"""The rules pipeline (apply_rules handler) against moto tables and queues created from
template.yaml: offers are made once, limits hold under concurrency, every decision is
recorded, a poison record fails alone."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest

from dev_support.lambda_events import stream_record
from goodword.aws.codec import from_dynamodb, to_dynamodb
from goodword.event_items import event_item
from goodword.events import Author, Event, EventKind, EventRefs, Platform
from tests.conftest import Aws

BRAND = "2244994945"
FLAGSHIP: dict[str, Any] = {
    "id": "first-positive-mention-sample",
    "name": "Free sample for a first positive mention",
    "priority": 10,
    "triggers": {"kinds": ["mention", "reply", "quote", "comment"]},
    "conditions": {
        "all": [{"field": "profile.is_first_mention", "equals": True}, {"field": "sentiment.label", "equals": "positive"}]
    },
    "actions": [
        {
            "offer_sample": {
                "product": "Ethiopia Guji 250 g",
                "review": "automatic",
                "message": "Thank you {author_handle}! A bag of {product} is yours: {claim_link}",
            }
        },
        {"tag": {"label": "sampled"}},
    ],
    "limits": {"once_per_person": "forever", "per_day": 50},
}
SUPPORT: dict[str, Any] = {
    "id": "negative-to-support",
    "name": "Negative mentions go to support",
    "priority": 20,
    "triggers": {"kinds": ["mention", "reply", "comment"]},
    "conditions": {"field": "sentiment.label", "equals": "negative"},
    "actions": [
        {"notify": {"url": "https://support.example/hooks/goodword", "message": "{author_handle} on {platform} is unhappy"}}
    ],
    "limits": {"once_per_person": None},
}
POSITIVE = "@roaster I love your coffee, wonderful and amazing, best beans ever, thank you!"
NEGATIVE = "The beans arrived stale and the bag was torn. Terrible."


def put_rules(
    aws: Aws, *rules: dict[str, Any], settings: dict[str, Any] | None = None, raw: list[dict[str, Any]] | None = None
) -> None:
    table = aws.tables["RulesTable"]
    aws.dynamodb.put_item(
        TableName=table,
        Item=to_dynamodb(
            {
                "pk": "SETTINGS",
                "sk": "GLOBAL",
                "definition": settings
                or {"time_zone": "Europe/Berlin", "claim_link_base_url": "https://roaster.example/claim/", "cooldown_days": 0},
            }
        ),
    )
    aws.dynamodb.put_item(
        TableName=table,
        Item=to_dynamodb(
            {"pk": "SETTINGS", "sk": f"ACCOUNT#x#{BRAND}", "platform": "x", "account_id": BRAND, "handle": "roaster"}
        ),
    )
    for rule in rules:
        aws.dynamodb.put_item(
            TableName=table, Item=to_dynamodb({"pk": "RULE", "sk": rule["id"], "version": 3, "definition": rule})
        )
    for item in raw or []:
        aws.dynamodb.put_item(TableName=table, Item=to_dynamodb(item))


def event(text: str, author: str = "p1", post: str = "1", kind: EventKind = EventKind.MENTION) -> Event:
    now = datetime.now(UTC)
    return Event(
        platform=Platform.X,
        kind=kind,
        natural_id=f"tweet:{post}",
        brand_account=BRAND,
        occurred_at=now,
        received_at=now,
        source="x",
        # an established account, as X's payloads describe it (nothing left to look up)
        author=Author(id=author, handle=f"fan_{author}", followers_count=10, created_at=datetime(2015, 1, 29, tzinfo=UTC)),
        text=text,
        refs=EventRefs(post_id=post),
    )


def record(stored: Event, sequence: int) -> dict[str, Any]:
    return stream_record(to_dynamodb(event_item(stored)), sequence)


def run(pipeline: Any, context: Any, *events: Event, start: int = 1) -> dict[str, Any]:
    result: dict[str, Any] = pipeline.lambda_handler({"Records": [record(e, start + i) for i, e in enumerate(events)]}, context)
    return result


def work(aws: Aws, kind: str | None = None) -> list[dict[str, Any]]:
    items = [from_dynamodb(i) for i in aws.dynamodb.scan(TableName=aws.tables["StateTable"], ConsistentRead=True)["Items"]]
    return [i for i in items if i["sk"] == "WORK" and (kind is None or i["kind"] == kind)]


def decisions(aws: Aws, stored: Event) -> dict[str, Any]:
    item = aws.dynamodb.get_item(
        TableName=aws.tables["EventsTable"],
        Key={"pk": {"S": f"EVENT#{stored.event_id}"}, "sk": {"S": "DECISIONS"}},
        ConsistentRead=True,
    )["Item"]
    return from_dynamodb(item)


def queued(aws: Aws) -> list[dict[str, Any]]:
    url = aws.queues["ActionsQueue"]
    found = []
    while messages := aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            found.append(json.loads(message["Body"]))
            aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def test_first_positive_mention_gets_one_offer_and_the_next_mention_does_not(
    aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    put_rules(aws, FLAGSHIP, SUPPORT)
    first, second = event(POSITIVE, post="1"), event(POSITIVE, post="2")
    assert run(pipeline, lambda_context, first) == {"batchItemFailures": []}
    (offer,) = work(aws, "offer_sample")
    assert offer["state"] == "approved" and offer["rule_version"] == 3
    # deliver_link's default on X: the link in the public reply (nothing answers a DM automatically yet)
    assert offer["deliver_link"] == "reply" and offer.get("link_message") is None
    assert offer["message"] == f"Thank you @fan_p1! A bag of Ethiopia Guji 250 g is yours: {offer['claim_link']}"
    assert offer["claim_link"].startswith("https://roaster.example/claim/")
    assert offer["claim_link"].endswith(offer["claim_code"]) and len(offer["claim_code"]) >= 16
    (message,) = queued(aws)
    assert message["idempotency_key"] == offer["id"] and message["kind"] == "offer_sample"
    record_ = decisions(aws, first)
    assert record_["sentiment"]["label"] == "positive"
    assert record_["profile"]["profile.is_first_mention"] is True
    assert {d["rule_id"]: d["outcome"] for d in record_["decisions"]} == {
        "first-positive-mention-sample": "acted",
        "negative-to-support": "condition_failed",
    }

    run(pipeline, lambda_context, second, start=2)
    assert len(work(aws, "offer_sample")) == 1
    flagship = next(d for d in decisions(aws, second)["decisions"] if d["rule_id"] == "first-positive-mention-sample")
    assert flagship["outcome"] == "condition_failed"
    assert flagship["detail"] == "conditions.all[0]: profile.is_first_mention equals True was false (saw False)"
    assert flagship["facts"] == {"profile.is_first_mention": False, "sentiment.label": "positive"}


def test_a_retried_event_makes_no_second_offer_and_is_counted_once(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    mention = event(POSITIVE)
    for _ in range(3):
        run(pipeline, lambda_context, mention)
    assert len(work(aws, "offer_sample")) == 1
    assert len(queued(aws)) == 1
    profile = from_dynamodb(
        aws.dynamodb.get_item(
            TableName=aws.tables["StateTable"], Key={"pk": {"S": f"PERSON#x#{BRAND}#p1"}, "sk": {"S": "PROFILE"}}
        )["Item"]
    )
    assert (profile["mention_count"], profile["positive_mention_count"], profile["offers_received"]) == (1, 1, 1)
    assert profile["tags"] == {"sampled"}


def test_a_negative_mention_is_routed_to_support_not_rewarded(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP, SUPPORT)
    complaint = event(NEGATIVE)
    run(pipeline, lambda_context, complaint)
    assert work(aws, "offer_sample") == []
    (notify,) = queued(aws)
    assert (notify["kind"], notify["url"], notify["message"]) == (
        "notify",
        "https://support.example/hooks/goodword",
        "@fan_p1 on x is unhappy",
    )
    assert notify["text"] == NEGATIVE


def test_manual_review_keeps_the_offer_out_of_the_queue(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    manual = {
        **FLAGSHIP,
        "actions": [
            {"offer_sample": {**FLAGSHIP["actions"][0]["offer_sample"], "review": {"automatic_above_confidence": 0.999}}}
        ],
    }
    put_rules(aws, manual)
    run(pipeline, lambda_context, event(POSITIVE))
    (offer,) = work(aws, "offer_sample")
    assert offer["state"] == "pending_review" and offer["gsi1pk"] == "OFFERS#pending_review"
    assert queued(aws) == []


@pytest.mark.usefixtures("atomic_moto")
def test_caps_hold_under_concurrency(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    capped = {**FLAGSHIP, "limits": {"once_per_person": "forever", "total": 3}}
    put_rules(aws, capped)
    mentions = [event(POSITIVE, author=f"p{n}", post=str(n)) for n in range(10)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda pair: run(pipeline, lambda_context, pair[1], start=pair[0] + 1), enumerate(mentions)))
    assert len(work(aws, "offer_sample")) == 3
    outcomes = [next(d for d in decisions(aws, m)["decisions"])["detail"] for m in mentions]
    assert sum("total cap of 3 reached" in o for o in outcomes) == 7


@pytest.mark.usefixtures("atomic_moto")
def test_concurrent_first_mentions_of_one_person_make_exactly_one_first_and_one_offer(
    aws: Aws,
    pipeline: Any,
    lambda_context: Any,
) -> None:
    put_rules(aws, FLAGSHIP)
    mentions = [event(POSITIVE, author="same", post=str(n)) for n in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda pair: run(pipeline, lambda_context, pair[1], start=pair[0] + 1), enumerate(mentions)))
    firsts = [decisions(aws, m)["profile"]["profile.is_first_mention"] for m in mentions]
    assert firsts.count(True) == 1
    assert len(work(aws, "offer_sample")) == 1


def test_an_invalid_rule_is_skipped_and_the_others_run(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(
        aws,
        FLAGSHIP,
        raw=[
            {
                "pk": "RULE",
                "sk": "broken",
                "version": 1,
                "definition": {
                    "id": "broken",
                    "name": "x",
                    "triggers": {"kinds": ["mention"]},
                    "actions": [{"reply": {"message": "hi {nobody}"}}],
                },
            }
        ],
    )
    run(pipeline, lambda_context, event(POSITIVE))
    assert len(work(aws, "offer_sample")) == 1
    from apply_rules.handler import _pipeline

    assert _pipeline().rules().invalid[0][0] == "broken"
    assert "unknown placeholder {nobody}" in _pipeline().rules().invalid[0][1]


def test_a_poison_record_fails_alone(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    good = record(event(POSITIVE), 1)
    poison = record(event(POSITIVE, author="p2", post="2"), 2)
    poison["dynamodb"]["NewImage"]["kind"] = {"S": "telepathy"}
    response = pipeline.lambda_handler({"Records": [poison, good]}, lambda_context)
    assert response == {"batchItemFailures": [{"itemIdentifier": poison["dynamodb"]["SequenceNumber"]}]}
    assert len(work(aws, "offer_sample")) == 1


def test_cooldown_and_stop_after(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    thanks = {
        "id": "thank-repeat-fans",
        "name": "Thank positive repeat mentioners",
        "priority": 30,
        "triggers": {"kinds": ["mention"]},
        "conditions": {"field": "sentiment.label", "equals": "positive"},
        "actions": [{"reply": {"message": "Thank you {author_handle}!"}}],
        "limits": {"once_per_person": None},
    }
    put_rules(aws, {**FLAGSHIP, "stop_after": True}, thanks, settings={"cooldown_days": 7})
    first, second = event(POSITIVE, post="1"), event(POSITIVE, post="2")
    run(pipeline, lambda_context, first)
    assert [d["outcome"] for d in decisions(aws, first)["decisions"]] == ["acted", "stopped"]
    run(pipeline, lambda_context, second, start=2)
    thanks_decision = decisions(aws, second)["decisions"][1]
    assert thanks_decision["outcome"] == "limited"
    assert thanks_decision["detail"] == "cooldown: this person had automated contact within 7 days"


def test_the_example_rules_of_the_repository_run(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    import yaml

    from dev_support.paths import ROOT

    examples = [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "rules").glob("*.yaml"))]
    put_rules(aws, *examples, settings={"time_zone": "Europe/Berlin", "cooldown_days": 7})
    fan, complaint = event(POSITIVE, author="fan", post="1"), event(NEGATIVE, author="grump", post="2")
    assert run(pipeline, lambda_context, fan, complaint) == {"batchItemFailures": []}
    outcomes = {d["rule_id"]: d["outcome"] for d in decisions(aws, fan)["decisions"]}
    assert outcomes["first-positive-mention-sample"] == "acted"
    assert {d["rule_id"]: d["outcome"] for d in decisions(aws, complaint)["decisions"]}["negative-mentions-to-support"] == "acted"
    assert sorted(w["kind"] for w in work(aws)) == ["notify", "offer_sample"]


def test_rules_are_read_once_per_cache_period_not_per_event(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP)
    from goodword.aws import clients

    real = clients.dynamodb()
    queries: list[str] = []
    original = real.query

    def counting(**kwargs: Any) -> Any:
        if kwargs["TableName"] == aws.tables["RulesTable"]:  # not the people's recent mentions
            queries.append(kwargs["ExpressionAttributeValues"][":pk"]["S"])
        return original(**kwargs)

    with __import__("unittest").mock.patch.object(real, "query", side_effect=counting):
        run(pipeline, lambda_context, *(event(POSITIVE, author=f"a{n}", post=str(n)) for n in range(5)))
        run(pipeline, lambda_context, event(POSITIVE, author="late", post="9"), start=9)
        assert sorted(queries) == ["RULE", "SETTINGS"], "one load for both batches, within RULES_CACHE_SECONDS"
        loader = pipeline._pipeline().rules
        later = loader._loaded_at + loader.max_age
        loader.clock = lambda: later  # the cache period has passed (and time then stands still)
        run(pipeline, lambda_context, event(POSITIVE, author="later", post="10"), start=10)
    assert sorted(queries) == ["RULE", "RULE", "SETTINGS", "SETTINGS"]


def test_a_rule_that_breaks_platform_policy_is_refused_with_the_reason(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    welcome_dm = {
        "id": "welcome-dm",
        "name": "Welcome DM",
        "triggers": {"kinds": ["follow"], "platforms": ["x"]},
        "actions": [{"direct_message": {"message": "Welcome {author_handle}!"}}],
    }
    put_rules(aws, FLAGSHIP, welcome_dm)
    run(pipeline, lambda_context, event(POSITIVE))
    from apply_rules.handler import _pipeline

    assert _pipeline().rules().invalid == [
        ("welcome-dm", "platform policy: actions[0].direct_message: direct_message is not allowed after a follow on x")
    ]
    assert len(work(aws, "offer_sample")) == 1


def test_contact_the_platform_forbids_is_refused_before_any_limit_is_charged(
    aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    put_rules(aws, FLAGSHIP)
    now = datetime.now(UTC)
    bridged = Event(
        platform=Platform.MASTODON,
        kind=EventKind.MENTION,
        natural_id="status:1",
        brand_account="@roaster@coffee.example",
        occurred_at=now,
        received_at=now,
        source="standard",
        author=Author(id="42", handle="ana"),
        text=POSITIVE,
    )
    run(pipeline, lambda_context, bridged)
    (decision,) = decisions(aws, bridged)["decisions"]
    assert (decision["outcome"], decision["detail"]) == (
        "refused",
        "platform policy: Goodword cannot contact people on mastodon yet",
    )
    assert work(aws) == []
    x_mention = event(POSITIVE)
    run(pipeline, lambda_context, x_mention, start=2)
    (offer,) = work(aws, "offer_sample")
    assert (offer["channel"], offer["event_kind"]) == ("reply", "mention")
    assert queued(aws)[0]["channel"] == "reply"
