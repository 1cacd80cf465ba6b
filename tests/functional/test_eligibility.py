"""The eligibility gate through the apply_rules handler on moto, with the cautious defaults:
an account younger than 30 days and a burst of mentions are held for review (the reason in the
review queue and the decision), an established account is offered at once, a fact nobody knows
holds nothing, and each new fact can be tested by a rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from goodword.events import Author, Event, EventKind, EventRefs, Platform
from tests.conftest import Aws
from tests.contract.test_claim_store import claim_for, dynamodb_setup
from tests.functional.test_cli import goodword, goodword_json, store
from tests.functional.test_opt_out import SAMPLE
from tests.functional.test_pipeline import BRAND, FLAGSHIP, POSITIVE, decisions, event, put_rules, run, work

DEFAULTS = {"time_zone": "Europe/Berlin", "cooldown_days": 0}  # eligibility left at its defaults


def by(author: Author, post: str) -> Event:
    return event(POSITIVE, post=post).model_copy(update={"author": author})


def test_a_week_old_account_is_held_for_review_and_an_old_one_is_offered_at_once(
    aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    put_rules(aws, FLAGSHIP, settings=DEFAULTS)
    now = datetime.now(UTC)
    fresh = by(Author(id="fresh", handle="fresh", created_at=now - timedelta(days=7)), "1")
    established = by(Author(id="old", handle="old", created_at=now - timedelta(days=900)), "2")
    unknown = by(Author(id="unknown", handle="unknown"), "3").model_copy(  # Instagram shares no account age
        update={"platform": Platform.INSTAGRAM, "kind": EventKind.COMMENT, "refs": EventRefs(comment_id="c3", media_id="m3")}
    )
    store(aws, fresh, established, unknown)
    run(pipeline, lambda_context, fresh, established, unknown)
    states = {w["author_id"]: w["state"] for w in work(aws, "offer_sample")}
    assert states == {"fresh": "pending_review", "old": "approved", "unknown": "approved"}
    (pending,) = goodword_json(aws, "review", "list")["offers"]
    assert pending["held_because"] == "the account is 7 days old, under 30 (eligibility.min_account_age_days)"


def test_a_burst_of_ten_mentions_in_a_minute_gives_at_most_one_offer_held_for_review(
    aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    put_rules(aws, SAMPLE, settings=DEFAULTS)  # no once-per-person limit: only the gate stands
    burst = [event(POSITIVE, author="eager", post=str(n)) for n in range(10)]
    store(aws, *burst)
    for number, mention in enumerate(burst):
        run(pipeline, lambda_context, mention, start=number + 1)
    offers = work(aws, "offer_sample")
    assert [o["state"] for o in offers].count("approved") == 5  # the first five are not a burst yet
    held = {o["held_because"] for o in offers if o["state"] == "pending_review"}
    assert held == {f"{n} mentions in 24 hours, over 5: a burst (eligibility.max_mentions_per_day)" for n in range(6, 11)}
    assert decisions(aws, burst[-1])["profile"]["profile.mention_count"] == 10


def test_the_flagship_gives_a_burst_one_sample(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, FLAGSHIP, settings=DEFAULTS)
    burst = [event(POSITIVE, author="eager", post=str(n)) for n in range(10)]
    store(aws, *burst)
    for number, mention in enumerate(burst):
        run(pipeline, lambda_context, mention, start=number + 1)
    assert len(work(aws, "offer_sample")) == 1


def test_holds_can_be_turned_off(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    settings = {**DEFAULTS, "eligibility": {"min_account_age_days": None, "max_mentions_per_day": None}}
    put_rules(aws, FLAGSHIP, settings=settings)
    fresh = by(Author(id="fresh", handle="fresh", created_at=datetime.now(UTC) - timedelta(days=1)), "1")
    store(aws, fresh)
    run(pipeline, lambda_context, fresh)
    assert [w["state"] for w in work(aws, "offer_sample")] == ["approved"]


def test_rules_can_test_the_new_facts(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    verified_only = {
        **SAMPLE,
        "conditions": {
            "all": [
                {"field": "author.verified", "equals": True},
                {"field": "author.following", "at_least": 100},
                {"field": "author.account_age_days", "at_least": 365},
                {"field": "person.mentions_last_24h", "at_most": 1},
                {"field": "person.offers_total", "equals": 0},
                {"field": "author.is_private", "equals": False},
                {"field": "author.accepts_dms", "equals": True},
                {"field": "author.default_profile", "equals": False},
            ]
        },
    }
    put_rules(aws, verified_only, settings=DEFAULTS)
    old = datetime.now(UTC) - timedelta(days=800)
    facts = {"is_private": False, "accepts_dms": True, "default_profile": False}
    yes = by(Author(id="v", handle="v", verified=True, following_count=300, created_at=old, **facts), "1")
    no = by(Author(id="n", handle="n", verified=False, following_count=300, created_at=old), "2")
    store(aws, yes, no)
    run(pipeline, lambda_context, yes, no)
    assert [w["author_id"] for w in work(aws, "offer_sample")] == ["v"]
    seen = decisions(aws, no)["decisions"][0]
    assert seen["outcome"] == "condition_failed" and "author.verified" in seen["detail"]


def test_a_rule_can_skip_a_person_who_claimed_before_under_another_linked_handle(
    aws: Aws, pipeline: Any, lambda_context: Any, request: pytest.FixtureRequest
) -> None:
    never_claimed = {**SAMPLE, "conditions": {"field": "person.claims_total", "equals": 0}}
    put_rules(aws, never_claimed, settings=DEFAULTS)
    first = event(POSITIVE, author="ana_main", post="1")
    store(aws, first)
    run(pipeline, lambda_context, first)
    (offer,) = work(aws, "offer_sample")  # nobody claimed yet: claims_total 0
    aws.dynamodb.update_item(  # sent, as the actions function leaves it
        TableName=aws.tables["StateTable"],
        Key={"pk": {"S": f"OFFER#{offer['id']}"}, "sk": {"S": "WORK"}},
        UpdateExpression="SET #s = :sent",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":sent": {"S": "sent"}},
    )
    setup = dynamodb_setup(request)
    assert setup.store.create(claim_for(setup.offer_now(f"OFFER#{offer['id']}")), datetime.now(UTC))
    assert goodword(aws, "people", "link", f"PERSON#x#{BRAND}#ana_main", f"PERSON#x#{BRAND}#ana_alt")[0] == 0
    assert goodword_json(aws, "people", "show", f"PERSON#x#{BRAND}#ana_main")["claims_made"] == 1

    again, stranger = event(POSITIVE, author="ana_alt", post="2"), event(POSITIVE, author="bo", post="3")
    store(aws, again, stranger)
    run(pipeline, lambda_context, again, stranger, start=2)
    assert [w["author_id"] for w in work(aws, "offer_sample")] == ["ana_main", "bo"]
    (seen,) = decisions(aws, again)["decisions"]
    assert seen["outcome"] == "condition_failed" and "person.claims_total equals 0 was false (saw 1)" in seen["detail"]


EDIT_WATCH = {
    "id": "tell-support-of-edits-after-offers",
    "name": "Tell support when a rewarded post is edited",
    "priority": 5,
    "triggers": {"kinds": ["mention", "reply", "quote", "comment"]},
    "conditions": {"field": "event.edited_after_offer", "equals": True},
    "actions": [{"notify": {"url": "https://support.example/hooks/goodword", "message": "{author_handle} edited"}}],
    "limits": {"once_per_person": None},
}


def test_a_post_edited_after_its_offer_is_flagged_and_never_earns_a_second_sample(
    aws: Aws, pipeline: Any, lambda_context: Any
) -> None:
    put_rules(aws, FLAGSHIP, EDIT_WATCH, settings=DEFAULTS)
    praise = event(POSITIVE, author="editor", post="100")
    edit = event("lol got the free bag, the coffee is actually bad", author="editor", post="101")
    edit = edit.model_copy(update={"refs": edit.refs.model_copy(update={"edits": "tweet:100"})})
    unrelated_edit = event(POSITIVE, author="other", post="201")
    unrelated_edit = unrelated_edit.model_copy(update={"refs": unrelated_edit.refs.model_copy(update={"edits": "tweet:200"})})
    store(aws, praise, edit, unrelated_edit)
    run(pipeline, lambda_context, praise)
    run(pipeline, lambda_context, edit, unrelated_edit, start=2)
    assert len(work(aws, "offer_sample")) == 1  # the praise; an edit is never a first mention (nor any new one)
    flagged = {d["rule_id"]: d["outcome"] for d in decisions(aws, edit)["decisions"]}
    assert flagged[EDIT_WATCH["id"]] == "acted" and flagged[FLAGSHIP["id"]] != "acted"
    assert [w["message"] for w in work(aws, "notify")] == ["@fan_editor edited"]
    assert {d["rule_id"]: d["outcome"] for d in decisions(aws, unrelated_edit)["decisions"]}[EDIT_WATCH["id"]] == (
        "condition_failed"
    )


REPEAT_THANKS = {
    "id": "thank-positive-repeat-mentioners",
    "name": "Thank positive repeat mentioners",
    "priority": 30,
    "triggers": {"kinds": ["mention", "reply", "quote"], "platforms": ["x"]},
    "conditions": {
        "all": [{"field": "sentiment.label", "equals": "positive"}, {"field": "profile.mention_count", "at_least": 2}]
    },
    "actions": [{"reply": {"message": "Thank you so much {author_handle}!"}}],
    "limits": {"once_per_person": {"days": 30}},
}


def test_an_edit_is_never_a_second_mention(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, REPEAT_THANKS, settings={**DEFAULTS, "eligibility": {"min_account_age_days": None}})
    complaint = event("The beans arrived stale and the bag was torn. Terrible.", author="turncoat", post="300")
    praise = event(POSITIVE, author="turncoat", post="301")
    praise = praise.model_copy(update={"refs": praise.refs.model_copy(update={"edits": "tweet:300"})})
    store(aws, complaint, praise)
    run(pipeline, lambda_context, complaint)
    run(pipeline, lambda_context, praise, start=2)
    seen = decisions(aws, praise)
    assert seen["profile"]["profile.mention_count"] == 1
    assert {d["rule_id"]: d["outcome"] for d in seen["decisions"]}[REPEAT_THANKS["id"]] == "condition_failed"
    assert work(aws, "reply") == []


def test_an_eligibility_hold_applies_to_a_reply_too(aws: Aws, pipeline: Any, lambda_context: Any) -> None:
    put_rules(aws, REPEAT_THANKS, settings=DEFAULTS)
    fresh = Author(id="fresh2", handle="fresh2", created_at=datetime.now(UTC) - timedelta(days=7))
    first, second = by(fresh, "401"), by(fresh, "402")
    store(aws, first, second)
    run(pipeline, lambda_context, first)
    run(pipeline, lambda_context, second, start=2)
    outcome, detail = {d["rule_id"]: (d["outcome"], d["detail"]) for d in decisions(aws, second)["decisions"]}[
        REPEAT_THANKS["id"]
    ]
    assert outcome == "limited"
    assert detail.startswith("held: the account is 7 days old, under 30 (eligibility.min_account_age_days)")
    assert work(aws, "reply") == []
