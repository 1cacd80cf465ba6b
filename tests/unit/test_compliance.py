"""The compliance guard: an offer thanks a person for what they said; a message that makes the
gift depend on a post to come, or on its sentiment, is refused when the rule is validated,
with the reason (16 CFR § 465.4)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from goodword.message_edits import EditContext, edited_message
from goodword.rules.compliance import conditioning
from goodword.rules.model import Rule
from goodword.work import WorkKind, WorkRecord, WorkState

CONDITIONED = [
    "Post a review to get a free bag: {claim_link}",
    "Tag us and we'll send you {product}!",
    "Tag us and we’ll send you {product}!",  # a curly apostrophe
    "Share this for a free bag of {product}",
    "Leave 5 stars and {product} is yours: {claim_link}",
    "Leave us a glowing review and claim {claim_link}",
    "Rate us five stars: {claim_link}",
    "Write a positive review, then {claim_link}",
    "Say nice things about us for a free bag",
    "A bag for every 5-star review",
    "If you post a photo of it, another bag is yours",
    "Once you share your cup, claim {claim_link}",
    "A free bag in exchange for a review: {claim_link}",
    "Retweet to win {product}!",
    "Simply tag a friend to claim {claim_link}",
    "Follow us and we'll send a bag",
    "Comment below to win a bag",
    "Great! Post a review to get one: {claim_link}",
    "ＴＡＧ us and we'll send you a bag",  # full-width letters
    "Tag\u200b us and we'll send you a bag",  # a zero-width space
]
THANK_YOUS = [
    "Thanks for the kind words! A bag on us: {claim_link}",
    "Thank you {author_handle}! We'd love to send you a bag of {product}, on us: {claim_link}",
    "Loved your review, here's a bag on us: {claim_link}",
    "Thanks for the 5 stars! {claim_link}",
    "Thanks for your great review! A bag for you: {claim_link}",
    "Thanks for sharing! Enjoy a free bag: {claim_link}",
    "Thanks for the post, we'll send a bag to get you started: {claim_link}",
    "We'd like to send you a bag to get you brewing: {claim_link}",
    "Your review made our day. A bag on us: {claim_link}",
    "Great post! Here is {product} to say thanks: {claim_link}",
    "So glad you like it! A bag for you: {claim_link}",
    "Thank you {author_handle}! We'd love to send you {product}, on us: send us a direct message and we'll answer"
    " with your link.",
]


@pytest.mark.parametrize("message", CONDITIONED)
def test_a_gift_conditioned_on_a_post_or_a_sentiment_is_refused_with_the_reason(message: str) -> None:
    reason = conditioning(message)
    assert reason is not None and "16 CFR § 465.4" in reason and "docs/rules.md" in reason


@pytest.mark.parametrize("message", THANK_YOUS)
def test_a_thank_you_for_what_was_said_passes(message: str) -> None:
    assert conditioning(message) is None


def test_the_reason_quotes_the_words_and_names_what_is_wrong() -> None:
    assert "('leave 5 stars')" in (conditioning("Leave 5 stars and get a bag") or "")
    assert "asks for a sentiment" in (conditioning("Leave 5 stars and get a bag") or "")
    assert '("tag us and we\'ll")' in (conditioning("Tag us and we'll send a bag") or "")
    assert "depend on a post, review, tag or share to come" in (conditioning("Tag us and we'll send a bag") or "")


def rule_with(offer: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "thanks",
        "name": "Thanks",
        "triggers": {"kinds": ["mention"], "platforms": ["x"]},
        "actions": [{"offer_sample": {"product": "Beans", "message": "Thanks! {claim_link}", **offer}}],
    }


def test_a_rule_whose_offer_message_conditions_the_gift_is_refused_at_validation() -> None:
    with pytest.raises(ValidationError, match=r"16 CFR § 465\.4") as refused:
        Rule.model_validate(rule_with({"message": "Post a review to get {product}: {claim_link}"}))
    assert "actions.0.offer_sample.message" in str(refused.value)
    with pytest.raises(ValidationError, match=r"asks for a sentiment"):
        Rule.model_validate(rule_with({"ask_message": "Leave 5 stars and DM us for {product}"}))
    assert Rule.model_validate(rule_with({"message": "Thanks for the kind words! A bag on us: {claim_link}"}))


def test_a_reviewers_edit_cannot_condition_the_gift_either() -> None:
    record = WorkRecord(
        id="w1",
        kind=WorkKind.OFFER_SAMPLE,
        state=WorkState.PENDING_REVIEW,
        event_id="e1",
        event_kind="mention",
        event_time="2026-11-30T12:00:00+00:00",
        rule_id="thanks",
        rule_version=1,
        person="x#1",
        platform="x",
        brand_account="2244994945",
        created_at="2026-11-30T12:00:00+00:00",
        idempotency_key="w1",
        channel="reply",
        claim_link="https://roaster.example/claim/abc",
        claim_code="abc",
    )
    with pytest.raises(ValueError, match=r"16 CFR § 465\.4"):
        edited_message("Tag us and we'll send a bag: {claim_link}", record, EditContext("Thanks! {claim_link}"))
    assert edited_message("Thanks! {claim_link}", record, EditContext("Thanks! {claim_link}")).endswith("/claim/abc")
