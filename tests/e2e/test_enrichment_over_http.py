"""Enrichment on the local stack (make serve): an Instagram mention and a LinkedIn mention
arrive with ids only, signed, over HTTP; the rules function completes them from the local
fake platforms (the documented read answers), judges them, and the flagship offers each
author a sample."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dev_support.platforms import load_fixture, signed_headers
from tests.e2e.conftest import RunningStack
from tests.e2e.test_receiver_over_http import post

pytestmark = pytest.mark.e2e


def stored(stack: RunningStack, event_id: str, sk: str) -> dict[str, Any]:
    item: dict[str, Any] = stack.client("dynamodb").get_item(
        TableName=stack.physical("EventsTable"), ConsistentRead=True, Key={"pk": {"S": f"EVENT#{event_id}"}, "sk": {"S": sk}}
    )["Item"]
    return item


def offers_for(stack: RunningStack, author: str) -> list[dict[str, Any]]:
    items = stack.client("dynamodb").scan(TableName=stack.physical("StateTable"), ConsistentRead=True)["Items"]
    return [i for i in items if i["sk"]["S"] == "WORK" and i.get("author_id", {}).get("S") == author]


def deliver(stack: RunningStack, platform: str, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    status, answer = post(stack, platform, data, {"content-type": "application/json", **signed_headers(platform, data)})
    assert (status, answer["stored"]) == (200, 1)


def test_an_instagram_mention_with_ids_only_is_completed_scored_and_offered(goodword_stack: RunningStack) -> None:
    body = load_fixture("meta/instagram_mentions_comment_fblogin.json")
    body["entry"][0]["changes"][0]["value"] = {"comment_id": "17800000000000777", "media_id": "17900000000000777"}
    deliver(goodword_stack, "meta", body)
    goodword_stack.wait_idle()
    event_id = "instagram#17841405726653026#mention:17900000000000777:17800000000000777"
    event = stored(goodword_stack, event_id, "EVENT")
    assert event["enrichment"]["M"]["state"]["S"] == "enriched"
    assert event["text"]["S"].startswith("@roaster your Ethiopia Guji is the best coffee")
    author = event["author"]["M"]["id"]["S"]
    assert author == "gracehopper_brews_00000777"
    decided = stored(goodword_stack, event_id, "DECISIONS")
    outcomes = {d["M"]["rule_id"]["S"]: d["M"]["outcome"]["S"] for d in decided["decisions"]["L"]}
    assert outcomes["first-positive-mention-sample"] == "acted"
    (offer,) = offers_for(goodword_stack, author)
    assert (offer["kind"]["S"], offer["state"]["S"]) == ("offer_sample", "sent")  # dry run


def test_a_linkedin_mention_with_ids_only_is_completed_scored_and_offered(goodword_stack: RunningStack) -> None:
    body = load_fixture("linkedin/org_social_action_share_mention.constructed.json")
    body["notifications"][0].update({"notificationId": 7770001, "generatedActivity": "urn:li:share:7770000000000000001"})
    deliver(goodword_stack, "linkedin", body)
    goodword_stack.wait_idle()
    event_id = "linkedin#urn:li:organization:12345#notification:7770001"
    event = stored(goodword_stack, event_id, "EVENT")
    assert event["enrichment"]["M"]["state"]["S"] == "enriched"
    assert event["text"]["S"].startswith("Loved the tasting session")
    author = event["author"]["M"]["id"]["S"]
    assert author == "urn:li:person:katherinejohnson1_00000001"
    (offer,) = offers_for(goodword_stack, author)
    assert offer["kind"]["S"] == "offer_sample"
