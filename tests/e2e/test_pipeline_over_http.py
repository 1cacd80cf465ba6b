"""The rules pipeline on the local stack, with the example rules of rules/: deliveries over
HTTP, through the stream, to offers."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from dev_support.platforms import load_fixture, signed_headers
from tests.e2e.conftest import RunningStack
from tests.e2e.test_receiver_over_http import post

pytestmark = pytest.mark.e2e


def mention(post_id: str, author: str, text: str) -> bytes:
    body = load_fixture("x/aaa_tweet_create_events_mention.constructed.json")
    tweet = body["tweet_create_events"][0]
    tweet.update({"id_str": post_id, "text": text})
    tweet["user"].update({"id_str": author, "screen_name": f"user_{author}"})
    return json.dumps(body).encode()


def deliver(stack: RunningStack, post_id: str, author: str, text: str) -> None:
    body = mention(post_id, author, text)
    status, answer = post(stack, "x", body, {"content-type": "application/json", **signed_headers("x", body)})
    assert (status, answer["stored"]) == (200, 1)


def work_for(stack: RunningStack, author: str) -> list[dict[str, Any]]:
    items = stack.client("dynamodb").scan(TableName=stack.physical("StateTable"), ConsistentRead=True)["Items"]
    return [i for i in items if i["sk"]["S"] == "WORK" and i.get("author_id", {}).get("S") == author]


def decisions(stack: RunningStack, post_id: str) -> dict[str, str]:
    item = stack.client("dynamodb").get_item(
        TableName=stack.physical("EventsTable"),
        ConsistentRead=True,
        Key={"pk": {"S": f"EVENT#x#2244994945#tweet:{post_id}"}, "sk": {"S": "DECISIONS"}},
    )["Item"]
    return {d["M"]["rule_id"]["S"]: d["M"]["outcome"]["S"] for d in item["decisions"]["L"]}


def test_a_positive_first_mention_gets_one_offer_and_the_second_none(goodword_stack: RunningStack) -> None:
    deliver(
        goodword_stack,
        "9100000000000000001",
        "e2e-fan",
        "@XDevelopers I love your coffee, wonderful and amazing, best ever, thank you!",
    )
    goodword_stack.wait_idle()
    (offer,) = work_for(goodword_stack, "e2e-fan")
    assert (offer["kind"]["S"], offer["state"]["S"]) == ("offer_sample", "sent")  # performed in dry run
    assert decisions(goodword_stack, "9100000000000000001")["first-positive-mention-sample"] == "acted"

    deliver(goodword_stack, "9100000000000000002", "e2e-fan", "@XDevelopers another wonderful, amazing cup, love it, thank you!")
    goodword_stack.wait_idle()
    assert len([w for w in work_for(goodword_stack, "e2e-fan") if w["kind"]["S"] == "offer_sample"]) == 1
    assert decisions(goodword_stack, "9100000000000000002")["first-positive-mention-sample"] == "condition_failed"


def test_the_flagship_sends_for_clear_praise_queues_mild_praise_and_never_rewards_sarcasm(
    goodword_stack: RunningStack,
) -> None:
    posts = {
        "e2e-clear": "just tried the new oat latte from @XDevelopers, honestly the best coffee I've had all year!",
        "e2e-mild": "@XDevelopers the house blend is pretty decent for the price, does the job",
        "e2e-sarcastic": "wow @XDevelopers, love waiting 40 minutes for a cold latte. great job",
    }
    for number, (author, text) in enumerate(posts.items(), 21):
        deliver(goodword_stack, f"91000000000000000{number}", author, text)
    goodword_stack.wait_idle()
    offers = {a: [w["state"]["S"] for w in work_for(goodword_stack, a) if w["kind"]["S"] == "offer_sample"] for a in posts}
    assert offers == {"e2e-clear": ["sent"], "e2e-mild": ["pending_review"], "e2e-sarcastic": []}
    assert decisions(goodword_stack, "9100000000000000023")["first-positive-mention-sample"] == "condition_failed"


def test_a_negative_mention_is_routed_not_rewarded(goodword_stack: RunningStack) -> None:
    deliver(
        goodword_stack, "9100000000000000003", "e2e-unhappy", "@XDevelopers stale beans, torn bag, terrible and disappointing."
    )
    goodword_stack.wait_idle()
    kinds = sorted(w["kind"]["S"] for w in work_for(goodword_stack, "e2e-unhappy"))
    assert kinds == ["notify"]
    assert decisions(goodword_stack, "9100000000000000003")["negative-mentions-to-support"] == "acted"


def test_dry_run_x_reply_carrying_the_claim_link_is_recorded_as_sent(goodword_stack: RunningStack) -> None:
    deliver(
        goodword_stack,
        "9100000000000000011",
        "e2e-dry",
        "@XDevelopers I love your coffee, wonderful and amazing, best ever, thank you!",
    )
    goodword_stack.wait_idle()
    (offer,) = work_for(goodword_stack, "e2e-dry")
    assert (offer["state"]["S"], offer["channel"]["S"], offer["dry_run"]["BOOL"]) == ("sent", "reply", True)
    # deliver_link's default on X: the link in the public reply, to this stack's claim page
    assert offer["deliver_link"]["S"] == "reply" and offer["claim_link"]["S"] in offer["message"]["S"]
    assert offer["claim_link"]["S"].startswith(f"{goodword_stack.base_url}/claim/") and "link_message" not in offer


def test_an_instagram_comment_gets_a_private_reply(goodword_stack: RunningStack) -> None:
    body = load_fixture("meta/instagram_comments_fblogin.constructed.json")
    body["entry"][0]["time"] = int(time.time())  # private replies must come within 7 days of the comment
    value = body["entry"][0]["changes"][0]["value"]
    value.update(
        {
            "comment_id": "e2e-comment-1",
            "text": "@examplebrand I love your coffee, wonderful and amazing, best beans ever, thank you!",
        }
    )
    value["from"] = {"id": "e2e-ig-fan", "username": "ig_fan"}
    raw = json.dumps(body).encode()
    status, answer = post(goodword_stack, "meta", raw, {"content-type": "application/json", **signed_headers("meta", raw)})
    assert (status, answer["stored"]) == (200, 1)
    goodword_stack.wait_idle()
    (offer,) = work_for(goodword_stack, "e2e-ig-fan")
    assert (offer["state"]["S"], offer["channel"]["S"]) == ("sent", "private_reply")


def test_a_welcome_dm_rule_for_x_followers_is_refused_when_loaded_with_the_policy_reason(goodword_stack: RunningStack) -> None:
    body = load_fixture("x/xaa_follow_follow.json")
    payload = body["data"]["payload"]
    payload["source"], payload["target"] = payload["target"], payload["source"]  # someone follows the brand
    body["data"]["event_uuid"] = "e2e-follow-1"
    raw = json.dumps(body).encode()
    status, _ = post(goodword_stack, "x", raw, {"content-type": "application/json", **signed_headers("x", raw)})
    assert status == 200
    goodword_stack.wait_idle()
    function = goodword_stack.status["functions"]["ApplyRulesFunction"]
    log = Path(function["log"]).read_text()  # this stack's own log folder
    lines = [json.loads(line) for line in log.splitlines() if '"invalid rule skipped"' in line]
    refusals = [line for line in lines if line.get("function_name") == function["name"]]
    assert refusals, "the pipeline loaded the rules and refused the welcome DM"
    assert {r["rule_id"] for r in refusals} == {"welcome-dm-x-followers"}
    assert refusals[-1]["reason"] == (
        "platform policy: actions[0].direct_message: direct_message is not allowed after a follow on x"
    )
