"""The review queue as a marketer needs it: a rejection says why (and only "not praise"
teaches the judge), a held or rejected offer is no contact, a rule can flag a post for a
person without an offer, and an offer's message can be edited before it is approved."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from dev_support.paths import ROOT
from goodword.aws.codec import from_dynamodb
from goodword.aws.state_table import StateTable
from goodword.events import Event
from goodword.rules.model import Rule
from goodword.rules.policy_check import policy_problems
from tests.conftest import Aws
from tests.functional.test_cli import SETTINGS, goodword, goodword_json, store
from tests.functional.test_pipeline import BRAND, POSITIVE, decisions, event, put_rules, queued, run, work

QUESTION = "@roaster do you ship to Canada? My sister lives in Toronto"
ASKS = {
    "id": "questions-to-a-person",
    "name": "Questions go to a person",
    "priority": 20,
    "triggers": {"kinds": ["mention", "reply", "comment"]},
    "conditions": {"field": "event.text", "matches": r"\?"},
    "actions": [{"flag": {"reason": "{author_handle} asks something on {platform}"}}],
    "limits": {"once_per_person": None},
}


def manual_flagship() -> dict[str, Any]:
    flagship: dict[str, Any] = yaml.safe_load((ROOT / "rules" / "first-positive-mention-sample.yaml").read_text())
    flagship["actions"][0]["offer_sample"]["review"] = "manual"
    flagship["triggers"]["platforms"] = ["x"]
    return flagship


def fans(aws: Aws, pipeline: Any, lambda_context: Any, *names: str, text: str = POSITIVE) -> list[Event]:
    made = [event(text, author=name, post=str(900 + i)) for i, name in enumerate(names)]
    store(aws, *made)
    run(pipeline, lambda_context, *made, start=900)
    return made


def pending_by_author(aws: Aws) -> dict[str, str]:
    return {o["author_id"]: o["id"] for o in goodword_json(aws, "review", "list")["offers"]}


def profile_item(aws: Aws, author: str, sk: str = "PROFILE") -> dict[str, Any] | None:
    item = aws.dynamodb.get_item(
        TableName=aws.tables["StateTable"], Key={"pk": {"S": f"PERSON#x#{BRAND}#{author}"}, "sk": {"S": sk}}, ConsistentRead=True
    ).get("Item")
    return from_dynamodb(item) if item else None


# --- item 8: why a rejection, and what it teaches ---------------------------------------------


def test_only_a_not_praise_rejection_teaches_the_judge(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, manual_flagship(), settings=SETTINGS)
    fans(aws, pipeline, lambda_context, "amy", "bo", "cy")
    pending = pending_by_author(aws)

    code, output = goodword(aws, "review", "reject", pending["amy"])
    assert code == 1 and "--because not-praise|not-eligible|duplicate|other" in output
    assert goodword(aws, "review", "reject", pending["amy"], "--because", "not-eligible", "--reason", "staff")[0] == 0
    assert goodword(aws, "review", "reject", pending["bo"], "--because", "duplicate")[0] == 0
    assert goodword(aws, "review", "reject", pending["cy"], "--because", "not-praise")[0] == 0

    shown = goodword_json(aws, "offers", "show", pending["amy"])
    assert (shown["state"], shown["rejected_as"], shown["reason"]) == ("rejected", "not-eligible", "staff")
    examples = StateTable(aws.tables["StateTable"]).examples()
    assert [(e.praise, e.source.value) for e in examples] == [(False, "review")]  # cy's only
    # cy's post was not praise after all: their next praise is their first
    cy = profile_item(aws, "cy")
    assert cy is not None and "first_praise_event_id" not in cy
    bo = profile_item(aws, "bo")
    assert bo is not None and bo["first_praise_event_id"]

    # and the judge's mistake did not use up cy's sample: their real praise is offered
    again = [event(POSITIVE + " Truly.", author=name, post=str(950 + i)) for i, name in enumerate(("bo", "cy"))]
    store(aws, *again)
    run(pipeline, lambda_context, *again, start=950)
    assert sorted(pending_by_author(aws)) == ["cy"]


def test_a_held_or_rejected_offer_is_no_contact_and_an_approved_one_is(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, manual_flagship(), settings=SETTINGS)  # cooldown_days: 7
    fans(aws, pipeline, lambda_context, "amy", "bo")
    for author in ("amy", "bo"):  # waiting for review: nothing went out
        profile = profile_item(aws, author)
        assert profile is not None and profile.get("offers_received", 0) == 0 and "last_contact_at" not in profile
        assert profile_item(aws, author, "COOLDOWN") is None
    pending = pending_by_author(aws)

    assert goodword(aws, "review", "reject", pending["bo"], "--because", "not-eligible")[0] == 0
    bo = profile_item(aws, "bo")
    assert bo is not None and bo.get("offers_received", 0) == 0 and profile_item(aws, "bo", "COOLDOWN") is None

    assert goodword(aws, "review", "approve", pending["amy"])[0] == 0
    amy = profile_item(aws, "amy")
    assert amy is not None and amy["offers_received"] == 1 and amy["last_contact_at"]
    assert profile_item(aws, "amy", "COOLDOWN") is not None
    listed = goodword_json(aws, "review", "list")
    assert listed["offers"] == []


# --- item 10: a flag, no offer -------------------------------------------------------------------


def test_a_flag_puts_the_post_in_the_review_queue_with_no_offer(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, ASKS, settings=SETTINGS)
    asked = fans(aws, pipeline, lambda_context, "amy", "bo", text=QUESTION)
    assert queued(aws) == []  # nothing to send
    (flag_a, flag_b) = sorted(work(aws, "flag"), key=lambda w: w["author_id"])
    assert (flag_a["state"], flag_a["gsi1pk"]) == ("pending_review", "FLAGS#pending_review")
    assert work(aws, "offer_sample") == []
    (decision,) = decisions(aws, asked[0])["decisions"]
    assert decision["outcome"] == "acted" and decision["detail"] == f"flag {flag_a['id']} pending_review"
    amy = profile_item(aws, "amy")
    assert amy is not None and "last_contact_at" not in amy  # a flag is no contact

    listed = goodword_json(aws, "review", "list")
    assert listed["offers"] == []
    assert [(f["author_id"], f["flag_reason"], f["event_text"]) for f in listed["flags"]] == [
        ("amy", "@fan_amy asks something on x", QUESTION),
        ("bo", "@fan_bo asks something on x", QUESTION),
    ]
    human = goodword(aws, "review", "list")[1]
    assert "flagged: @fan_amy asks something on x" in human and "2 flagged post(s) waiting" in human

    code, output = goodword(aws, "review", "approve", flag_a["id"][:8])  # a prefix finds flags too
    assert (code, f"done {flag_a['id']}" in output) == (0, True)
    code, output = goodword(aws, "review", "reject", flag_b["id"])  # no reason kind needed to dismiss
    assert (code, f"dismissed {flag_b['id']}" in output) == (0, True)
    assert queued(aws) == []
    assert goodword_json(aws, "review", "list")["flags"] == []
    assert list(StateTable(aws.tables["StateTable"]).examples()) == []  # a flag teaches the judge nothing
    code, output = goodword(aws, "review", "approve", flag_a["id"])
    assert (code, f"{flag_a['id']} is done, not waiting for review" in output) == (1, True)


def test_a_flag_rule_is_checked_like_any_rule_and_needs_no_platform_channel() -> None:
    rule = Rule.model_validate({**ASKS, "triggers": {"kinds": ["follow", "mention"]}})
    assert policy_problems(rule) == []  # a follow on x allows no contact, but a flag is none
    bad = {**ASKS, "actions": [{"flag": {"reason": "see {claim_link}"}}]}
    with pytest.raises(ValueError, match=r"unknown placeholder \{claim_link\}"):
        Rule.model_validate(bad)


# --- item 12: edit before approving ---------------------------------------------------------------


def test_approve_with_an_edited_message_is_checked_then_sent_as_edited(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, manual_flagship(), settings=SETTINGS)
    fans(aws, pipeline, lambda_context, "amy", "bo")
    pending = pending_by_author(aws)
    amy = pending["amy"]

    code, output = goodword(aws, "review", "approve", amy, "--message", "Hi {nickname}! {claim_link}")
    assert code == 1 and "unknown placeholder {nickname}" in output
    code, output = goodword(aws, "review", "approve", amy, "--message", "Hi {author_handle}, a bag is yours!")
    assert code == 1 and "must keep {claim_link}" in output
    code, output = goodword(aws, "review", "approve", amy, "--message", "Thank you! " * 30 + "{claim_link}")
    assert code == 1 and "x reply allows 280" in output
    code, output = goodword(aws, "review", "approve", amy, pending["bo"], "--message", "Hi {claim_link}")
    assert code == 1 and "give one id" in output
    assert goodword_json(aws, "offers", "show", amy)["state"] == "pending_review"  # nothing changed
    assert queued(aws) == []

    edited = "Hi {author_handle}, your {product} is on its way once you say where: {claim_link}"
    assert goodword(aws, "review", "approve", amy, "--message", edited)[0] == 0
    shown = goodword_json(aws, "offers", "show", amy)
    expected = f"Hi @fan_amy, your Ethiopia Guji, 250 g is on its way once you say where: {shown['claim_link']}"
    assert (shown["state"], shown["message"]) == ("approved", expected)
    (message,) = queued(aws)
    assert message["message"] == expected
